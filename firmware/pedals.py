"""Two foot pedals and their presence line: debounce, tap/hold, stuck and unplugged faults. Pure logic.

Fed raw samples and a millisecond tick every poll; returns what happened as
``(message name, fields)`` tuples ready for the link. A pedal press gives, in order:
``press``, ``hold`` once it has been down for :data:`HOLD_MS`, ``release``, and
``tap`` after a release that came before :data:`HOLD_MS`. A pedal down longer than
:data:`STUCK_MS` raises the ``stuck_pedal`` fault (cleared on release). A low
pedal-present line (debounced) raises ``pedal_unplugged``; a pedal that was down
when the connector came out gets its ``release`` (no tap), and pedal inputs are
ignored until the connector is back. The contacts open as the plug comes out, so
pedal inputs are frozen from the first low sample of the present line: the opening
contact is never mistaken for a tap.
"""

from debounce import PRESS, RELEASE, Debouncer, ticks_diff
from mpcompat import const
from sonocart.wire import pedal_codec as pc

HOLD_MS = const(500)
STUCK_MS = const(10000)
PRESENT_SETTLE_MS = const(50)
N_PEDALS = const(2)


def _event(pedal: int, kind: int, now: int) -> tuple[str, dict[str, int]]:
    return ("PEDAL_EVENT", {"pedal": pedal, "kind": kind, "board_ts_ms": now})


def _fault(code: int, arg: int, active: bool, now: int) -> tuple[str, dict[str, int]]:
    return ("FAULT", {"code": code, "arg": arg, "active": 1 if active else 0, "board_ts_ms": now})


class Pedal:
    def __init__(self, index: int, now: int) -> None:
        self.index = index
        self.debouncer = Debouncer(now)
        self.down_since = now
        self.hold_sent = False
        self.stuck = False

    @property
    def down(self) -> bool:
        return self.debouncer.pressed

    def update(self, raw: bool, now: int, out: list[tuple[str, dict[str, int]]]) -> None:
        ev = self.debouncer.update(raw, now)
        if ev == PRESS:
            self.down_since = now
            self.hold_sent = False
            out.append(_event(self.index, pc.EV_PRESS, now))
        elif ev == RELEASE:
            self.released(now, out, True)
        elif self.down:
            held = ticks_diff(now, self.down_since)
            if not self.hold_sent and held >= HOLD_MS:
                self.hold_sent = True
                out.append(_event(self.index, pc.EV_HOLD, now))
            if not self.stuck and held >= STUCK_MS:
                self.stuck = True
                out.append(_fault(pc.FAULT_STUCK_PEDAL, self.index, True, now))

    def released(self, now: int, out: list[tuple[str, dict[str, int]]], may_tap: bool) -> None:
        out.append(_event(self.index, pc.EV_RELEASE, now))
        if may_tap and not self.hold_sent:
            out.append(_event(self.index, pc.EV_TAP, now))
        if self.stuck:
            self.stuck = False
            out.append(_fault(pc.FAULT_STUCK_PEDAL, self.index, False, now))

    def forget(self, now: int, out: list[tuple[str, dict[str, int]]]) -> None:
        """The connector came out: end a press that was in progress, start afresh."""
        if self.down:
            self.released(now, out, False)
        self.debouncer = Debouncer(now)


class Pedals:
    """Both pedals plus the pedal-present sense line."""

    def __init__(self, now: int) -> None:
        self.pedals = [Pedal(i, now) for i in range(N_PEDALS)]
        self._absent = Debouncer(now, PRESENT_SETTLE_MS)

    @property
    def present(self) -> bool:
        return not self._absent.pressed

    def down_mask(self) -> int:
        mask = 0
        for p in self.pedals:
            if p.down:
                mask |= 1 << p.index
        return mask

    def stuck(self) -> bool:
        return any(p.stuck for p in self.pedals)

    def active_faults(self, now: int) -> list[tuple[str, dict[str, int]]]:
        """Faults in force now (re-announced to a host that connects later)."""
        out: list[tuple[str, dict[str, int]]] = []
        if not self.present:
            out.append(_fault(pc.FAULT_PEDAL_UNPLUGGED, 0, True, now))
        for p in self.pedals:
            if p.stuck:
                out.append(_fault(pc.FAULT_STUCK_PEDAL, p.index, True, now))
        return out

    def update(self, raw: list[bool], present_raw: bool, now: int) -> list[tuple[str, dict[str, int]]]:
        out: list[tuple[str, dict[str, int]]] = []
        ev = self._absent.update(not present_raw, now)
        if ev == PRESS:
            out.append(_fault(pc.FAULT_PEDAL_UNPLUGGED, 0, True, now))
            for p in self.pedals:
                p.forget(now, out)
        elif ev == RELEASE:
            out.append(_fault(pc.FAULT_PEDAL_UNPLUGGED, 0, False, now))
            for p in self.pedals:
                p.debouncer = Debouncer(now)
        if self.present and present_raw:  # a low present line freezes the pedals until it is decided
            for p in self.pedals:
                p.update(raw[p.index], now, out)
        return out
