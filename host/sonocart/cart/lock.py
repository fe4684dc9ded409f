"""Screen lock: after an idle time outside the sterile phases a PIN is needed; the PIN says who acts next.

Policy only (the keypad is the view's): when the cart may lock (never while sterile, never during LAST
emergency mode), what a locked cart still accepts (the PIN keypad and the LAST button, nothing else: no
emergency is behind a lock), and that unlocking needs a roster operator's PIN. Starting LAST from the
locked screen lifts the lock at once (nobody types a PIN during a resuscitation). On unlocking, every
active HIGH prompt is handed to the view to show. While locked, pedal gestures are not acted on and each
is reported and journaled (see :mod:`sonocart.cart.pedal_actions`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from sonocart.cart.events import CartEvent, LockChanged
from sonocart.cart.pin_guard import BACKOFF_S, FREE_ATTEMPTS, backoff_s
from sonocart.cart.session import CartSession
from sonocart.journal.store import JournalError
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Input, Note, StartLast
from sonocart.procedures.prompts import Priority

__all__ = ["BACKOFF_S", "FREE_ATTEMPTS", "LOCKED_SCREENS", "ScreenLock"]  # the back-off is pin_guard's

#: The screens a locked cart shows: the PIN keypad and LAST emergency mode.
LOCKED_SCREENS = frozenset({"lock", "last"})


class ScreenLock:
    def __init__(
        self,
        session: CartSession,
        clock: Callable[[], float],
        emit: Callable[[CartEvent], None] = lambda _ev: None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.emit = emit
        self.locked = False
        self.last_activity = clock()
        session.input_gate = self.refusal
        self.failures = 0  # wrong PINs in a row
        self.retry_at = 0.0  # no unlock attempt before this (monotonic) time

    def _refused(self, text: str) -> None:
        self.session.say(text, ok=False)
        eng = self.session.engine
        if eng is not None:
            # the screen says it; a record that cannot take a note reports its own fault
            with contextlib.suppress(InputRejected, JournalError):
                eng.submit(Note(text, self.session.operator or "system"))

    def touched(self) -> None:
        self.last_activity = self.clock()

    def may_lock(self) -> bool:
        """No PIN with sterile gloves, none during a resuscitation, and none before anyone has a PIN."""
        if not self.session.settings.operators:  # a new cart (first start): nobody could unlock it
            return False
        return not (self.session.sterile() or self.session.last_active())

    def screen_allowed(self, name: str) -> bool:
        """Whether the view may show screen ``name`` now (locked: only the keypad and LAST)."""
        return not self.locked or name in LOCKED_SCREENS

    def refusal(self, inp: Input) -> str | None:
        """Why ``inp`` is not taken now (locked: everything but starting LAST), else None."""
        if self.locked and not isinstance(inp, StartLast):
            return "the screen is locked: enter a PIN (the LAST button still works)"
        return None

    def check(self) -> bool:
        """Lock once the idle time has passed where locking is allowed; True if locked.

        A lock that became not allowed (LAST started by any path) is lifted here."""
        if not self.may_lock():
            self.last_activity = self.clock()
            if self.locked and self.session.last_active():
                self.release_for_emergency()
        elif not self.locked and self.clock() - self.last_activity >= self.session.settings.idle_lock_s:
            self.lock()
        return self.locked

    def lock(self) -> bool:
        """Lock now (the Lock button); refused while sterile or during LAST. True when locked."""
        if not self.may_lock():
            why = "while sterile or during LAST"
            if not self.session.settings.operators:
                why = "before an administrator is registered (nobody could unlock it)"
            self.session.say(f"the screen does not lock {why}", ok=False)
            return False
        if not self.locked:
            self.locked = True
            self.session.changed()
            self.emit(LockChanged(True, self.session.operator))
        return True

    def unlock(self, operator_id: str, pin: str) -> bool:
        """True (and ``operator_id`` operates from now on) when the PIN matches that roster operator.

        After :data:`FREE_ATTEMPTS` wrong PINs in a row every further attempt waits a back-off that
        doubles (:mod:`sonocart.cart.pin_guard`); each wrong PIN and each refused early
        attempt is said on screen and journaled when a record is open.
        """
        now = self.clock()
        if now < self.retry_at:
            self._refused(
                f"unlock refused: wait {self.retry_at - now:.0f} s after {self.failures} wrong PINs"
            )
            return False
        if not self.session.settings.check_pin(operator_id, pin):
            self.failures += 1
            self.retry_at = now + backoff_s(self.failures)
            who = self.session.person_name(operator_id[:64])
            self._refused(f"unlock: wrong PIN for {who} ({self.failures} in a row)")
            return False
        self.failures, self.retry_at = 0, 0.0
        self.session.operator = operator_id
        self._unlocked(f"unlocked: {self.session.person_name(operator_id)} is operating")
        return True

    def release_for_emergency(self) -> None:
        """LAST started: the lock goes without a PIN; the operator stays who was signed in."""
        if self.locked:
            self._unlocked("LAST emergency: screen unlocked")

    def _unlocked(self, text: str) -> None:
        self.locked = False
        self.last_activity = self.clock()
        highs = tuple(p.text for p in self.session.prompts() if p.priority == Priority.HIGH)
        self.session.say(text + (f" — {len(highs)} HIGH alarm(s) active" if highs else ""))
        self.emit(LockChanged(False, self.session.operator, highs))
