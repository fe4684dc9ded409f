"""Buzzer bursts per IEC 60601-1-8 alarm priority. Pure logic.

A burst is a list of (on_ms, off_ms) pulses played once per BUZZ command; the
host repeats it as its alarm policy requires. High priority: 3 + 2 pulses, twice
(10 pulses); medium: 3 pulses; low: 2 pulses. A new burst of equal or higher
priority replaces the one playing; a lower one does not interrupt a higher one.
"""

from debounce import ticks_diff
from mpcompat import const
from sonocart.wire import pedal_codec as pc

BURSTS: dict[int, tuple[tuple[int, int], ...]] = {
    pc.BUZZ_HIGH: (
        (120, 100),
        (120, 100),
        (120, 300),
        (120, 100),
        (120, 700),
        (120, 100),
        (120, 100),
        (120, 300),
        (120, 100),
        (120, 0),
    ),
    pc.BUZZ_MEDIUM: ((200, 200), (200, 200), (200, 0)),
    pc.BUZZ_LOW: ((200, 200), (200, 0)),
}


#: What :meth:`Buzzer.ms_to_change` answers while no burst plays.
QUIET_MS = const(1 << 20)


class Buzzer:
    def __init__(self) -> None:
        self.priority = pc.BUZZ_OFF
        self._start = 0

    def start(self, priority: int, now: int) -> bool:
        """Start a burst; False when ``priority`` is unknown."""
        if priority == pc.BUZZ_OFF:
            self.priority = pc.BUZZ_OFF
            return True
        if priority not in BURSTS:
            return False
        if self.priority == pc.BUZZ_OFF or priority >= self.priority:
            self.priority = priority
            self._start = now
        return True

    def stop(self) -> None:
        self.priority = pc.BUZZ_OFF

    def on(self, now: int) -> bool:
        """Whether the buzzer sounds at ``now``; ends the burst when it is over."""
        if self.priority == pc.BUZZ_OFF:
            return False
        t = ticks_diff(now, self._start)
        for on_ms, off_ms in BURSTS[self.priority]:
            if t < on_ms:
                return True
            t -= on_ms + off_ms
            if t < 0:
                return False
        self.priority = pc.BUZZ_OFF
        return False

    def ms_to_change(self, now: int) -> int:
        """Milliseconds from ``now`` to the next edge of :meth:`on` (QUIET_MS while no burst plays;
        0 once the burst is over and :meth:`on` has yet to end it)."""
        if self.priority == pc.BUZZ_OFF:
            return QUIET_MS
        t = ticks_diff(now, self._start)
        for on_ms, off_ms in BURSTS[self.priority]:
            if t < on_ms:
                return on_ms - t
            t -= on_ms
            if t < off_ms:
                return off_ms - t
            t -= off_ms
        return 0
