"""Polled pedal debouncer. Pure logic: runs on the board, on the unix port and on CPython.

A contact is polled every few milliseconds; a change of level is accepted only after
the raw input has held the new level for ``settle_ms`` without interruption, so a
bouncing contact produces exactly one press and one release. Time is passed in
(milliseconds from ``time.ticks_ms`` on the board) and compared with wrap-around
arithmetic so the debouncer keeps working across the 2**30 ms tick rollover.
"""

PRESS = 1
RELEASE = 2

_TICKS_PERIOD = 1 << 30
_TICKS_HALF = _TICKS_PERIOD >> 1


def ticks_diff(end: int, start: int) -> int:
    """``time.ticks_diff`` for ticks that wrap at 2**30, usable off the board."""
    return ((end - start + _TICKS_HALF) & (_TICKS_PERIOD - 1)) - _TICKS_HALF


class Debouncer:
    """Turn raw active-high samples into debounced PRESS/RELEASE events."""

    settle_ms = 20

    def __init__(self, now_ms: int, settle_ms: int = 0) -> None:
        if settle_ms:
            self.settle_ms = settle_ms
        self.pressed = False
        self._candidate = False
        self._since = now_ms

    def update(self, raw: bool, now_ms: int) -> int:
        """Feed one sample; return PRESS, RELEASE or 0 when nothing changed."""
        raw = bool(raw)
        if raw != self._candidate:
            self._candidate = raw
            self._since = now_ms
            return 0
        if raw == self.pressed:
            return 0
        if ticks_diff(now_ms, self._since) < self.settle_ms:
            return 0
        self.pressed = raw
        return PRESS if raw else RELEASE
