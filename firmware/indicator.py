"""Status-light patterns: IEC 60601-1-8 visual alarm signals and the non-alarm states. Pure logic.

Each state is a colour and, for flashing states, a period and an on-time (ms).
Alarm signals follow IEC 60601-1-8 table 2: high priority red, 1.4-2.8 Hz,
20-60 % on; medium yellow, 0.4-0.8 Hz, 20-60 % on; low cyan, steady. A flash
starts with its on-phase when the state is entered. Non-alarm states are steady
colours not used by alarms (white, green, blue, magenta).
"""

from debounce import ticks_diff
from mpcompat import const
from sonocart.wire import pedal_codec as pc

_HIGH_PERIOD_MS = const(500)  # 2.0 Hz
_HIGH_ON_MS = const(250)  # 50 %
_MEDIUM_PERIOD_MS = const(1600)  # 0.625 Hz
_MEDIUM_ON_MS = const(800)  # 50 %
_MAINT_PERIOD_MS = const(2000)
_MAINT_ON_MS = const(200)

RED = (255, 0, 0)
YELLOW = (255, 160, 0)
CYAN = (0, 200, 200)
GREEN = (0, 200, 0)
BLUE = (0, 0, 255)
MAGENTA = (200, 0, 200)
WHITE = (120, 120, 120)
DIM_WHITE = (24, 24, 24)
OFF = (0, 0, 0)

#: What :meth:`Indicator.ms_to_change` answers while the colour does not change by itself.
STEADY_MS = const(1 << 20)

#: state -> (colour, period_ms, on_ms); period 0 means steady.
PATTERNS: dict[int, tuple[tuple[int, int, int], int, int]] = {
    pc.IND_OFF: (OFF, 0, 0),
    pc.IND_IDLE: (DIM_WHITE, 0, 0),
    pc.IND_READY: (GREEN, 0, 0),
    pc.IND_IMAGING: (BLUE, 0, 0),
    pc.IND_RECORDING: (MAGENTA, 0, 0),
    # The cart's controller is gone: a medium-priority technical alarm, shown by the board alone.
    pc.IND_HOST_LOST: (YELLOW, _MEDIUM_PERIOD_MS, _MEDIUM_ON_MS),
    pc.IND_ALARM_LOW: (CYAN, 0, 0),
    pc.IND_ALARM_MEDIUM: (YELLOW, _MEDIUM_PERIOD_MS, _MEDIUM_ON_MS),
    pc.IND_ALARM_HIGH: (RED, _HIGH_PERIOD_MS, _HIGH_ON_MS),
    pc.IND_SELF_TEST: (WHITE, 0, 0),
    pc.IND_MAINTENANCE: (BLUE, _MAINT_PERIOD_MS, _MAINT_ON_MS),
}


class Indicator:
    """The light's current state and the colour it shows at a given tick."""

    def __init__(self, now: int, state: int = pc.IND_HOST_LOST) -> None:
        self.state = state
        self._since = now

    def set_state(self, state: int, now: int) -> None:
        if state != self.state:
            self.state = state
            self._since = now

    def colour(self, now: int) -> tuple[int, int, int]:
        colour, period, on = PATTERNS.get(self.state, PATTERNS[pc.IND_HOST_LOST])
        if period == 0:
            return colour
        return colour if ticks_diff(now, self._since) % period < on else OFF

    def ms_to_change(self, now: int) -> int:
        """Milliseconds from ``now`` to the next change of :meth:`colour` (STEADY_MS for a steady state)."""
        _, period, on = PATTERNS.get(self.state, PATTERNS[pc.IND_HOST_LOST])
        if period == 0:
            return STEADY_MS
        t = ticks_diff(now, self._since) % period
        return on - t if t < on else period - t
