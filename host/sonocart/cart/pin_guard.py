"""Wrong PINs: a few free attempts, then a back-off that doubles (one policy for every PIN the cart asks).

The screen lock, a team member confirming the time-out and a second operator authorising an override all
check a roster PIN (scrypt, :mod:`sonocart.cart.settings`); each counts wrong PINs in a row per person, so
guessing one member's PIN cannot lock another out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Wrong PINs before a back-off starts, then waits of 30 s, 60 s, ... up to 15 min (10**4 PINs then
#: take weeks, not the 200 s they took with a fast hash and no limit).
FREE_ATTEMPTS = 5
BACKOFF_S = 30.0
BACKOFF_MAX_S = 900.0


def backoff_s(failures: int) -> float:
    """How long to wait after ``failures`` wrong PINs in a row (0 while attempts are free)."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(BACKOFF_MAX_S, BACKOFF_S * 2.0 ** (failures - FREE_ATTEMPTS))


@dataclass
class PinGuard:
    """Wrong PINs in a row and the earliest next attempt (monotonic), per person."""

    failures: dict[str, int] = field(default_factory=dict)
    retry_at: dict[str, float] = field(default_factory=dict)

    def waiting(self, person: str, now: float, name: str) -> str | None:
        """Why ``person``'s PIN is not even checked now (inside a back-off), else None; ``name`` is what
        staff call ``person`` (the words say the name, never the roster id)."""
        at = self.retry_at.get(person, 0.0)
        if now < at:
            return f"wait {at - now:.0f} s after {self.failures[person]} wrong PINs for {name}"
        return None

    def failed(self, person: str, now: float) -> int:
        """Count a wrong PIN; returns the count in a row (the back-off starts at FREE_ATTEMPTS)."""
        n = self.failures.get(person, 0) + 1
        self.failures[person] = n
        self.retry_at[person] = now + backoff_s(n)
        return n

    def passed(self, person: str) -> None:
        self.failures.pop(person, None)
        self.retry_at.pop(person, None)
