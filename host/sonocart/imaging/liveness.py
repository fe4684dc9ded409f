"""Is the image live? One pure decision, shared by every view that shows frames.

Safety principle 1: a frame older than ``STALE_AFTER_S``, or any link fault,
means NO SIGNAL — never a quietly frozen picture shown as live.
"""

from __future__ import annotations

from dataclasses import dataclass

STALE_AFTER_S = 0.25


@dataclass(frozen=True)
class Liveness:
    live: bool
    reason: str  # empty when live
    frame_age_s: float | None  # None before the first frame


def assess(
    now: float, last_frame_at: float | None, link_fault: str | None, stale_after_s: float = STALE_AFTER_S
) -> Liveness:
    """Judge liveness at ``now`` (monotonic seconds) from the last frame's arrival and the link's fault."""
    age = None if last_frame_at is None else max(0.0, now - last_frame_at)
    if link_fault:
        return Liveness(False, link_fault, age)
    if age is None:
        return Liveness(False, "waiting for the first frame", None)
    if age > stale_after_s:
        return Liveness(False, f"no new frame for {age * 1000:.0f} ms", age)
    return Liveness(True, "", age)
