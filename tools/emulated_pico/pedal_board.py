"""Our pedal-and-indicator board on the emulated Pico, driven like the simulated board.

The board's wiring (``hardware/pinmap.json``) is modelled at its pins: each pedal is a
normally-open contact to ground on a pulled-up input, the connector loops the present line to
ground, the status light is one WS2812 on LIGHT_DATA and the buzzer driver hangs on BUZZER.
rp2040js does not model pull-ups, so the released level is driven here: an open contact reads
high, a closed one low; with the connector out all three lines float up to high.

The handle has the methods of :class:`sonocart.sim.pedal_board.SimulatedPedalBoard` that tests
use (press, release, tap, hold, unplug, replug, reset, power_off, power_on, stall, light,
buzzer, pin_log, log_length, wait_for, stop), so one test runs on either; pin-log entries are
the same :class:`~sonocart.sim.pedal_board.PinChange` with the board's own millisecond tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sonocart.firmware_tool import pinmap
from sonocart.sim.pedal_board import PinChange
from sonocart.wire import pedal_codec as pc
from tools.emulated_pico.pico import DEFAULT_ENUMERATE_MS, EmulatedPico, PicoEvent
from tools.emulated_pico.stall import stall_pedals_task

#: Contact bounce before a pedal settles, as the simulated board plays it: (ms, at target level?).
BOUNCE = ((0, True), (1, False), (2, True), (3, False), (5, True), (6, False), (8, True))
_CAUSES = {"power_on": pc.RESET_POWER_ON, "run_pin": pc.RESET_OTHER, "watchdog": pc.RESET_WATCHDOG}


def pins() -> dict[str, int]:
    """GPIO numbers by name, from hardware/pinmap.json."""
    return {p["name"]: int(p["gpio"]) for p in pinmap.load()["pins"]}


class EmulatedPedalBoard:
    """The pedal firmware on an emulated Pico whose flash is ``flash_path``; :meth:`stop` when done."""

    #: What the firmware reports after :meth:`reset` (the RUN pin): neither power-on nor software.
    RESET_CAUSE = "other"

    def __init__(
        self, flash_path: Path, link_path: Path, *, enumerate_ms: int = DEFAULT_ENUMERATE_MS
    ) -> None:
        self.pico = EmulatedPico(flash_path, link_path, enumerate_ms=enumerate_ms)
        self.link_path = Path(link_path)
        self.gpio = pins()
        self._pedal_pin = {"A": self.gpio["PEDAL_A"], "B": self.gpio["PEDAL_B"]}
        self._closed = {"A": False, "B": False}
        self._plugged = True

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self, *, powered: bool = True) -> EmulatedPedalBoard:
        self.pico.start()
        self.pico.watch(self.gpio["BUZZER"])
        self.pico.decode_ws2812(self.gpio["LIGHT_DATA"])
        self._apply_lines()
        if powered:
            self.pico.power_on()
        return self

    def stop(self) -> None:
        self.pico.stop()

    def __enter__(self) -> EmulatedPedalBoard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def power_on(self) -> None:
        self.pico.power_on()

    def power_off(self) -> None:
        self.pico.power_off()

    def reset(self) -> None:
        """Reset through the RUN pin (USB re-enumerates: the link goes and comes back)."""
        self.pico.reset()

    def settle(self, timeout: float = 10.0, min_rate: float = 0.8, over_s: float = 0.5) -> bool:
        """Wait until the board is booted (its USB port up) and its clock keeps pace: over ``over_s``
        of wall time it advanced by at least ``min_rate`` times as much (while MicroPython boots,
        busy code runs the chip at about 0.2x). How far behind the wall clock it is does not matter
        to tests that time the board on its own clock (:meth:`run_for`); False on timeout."""
        deadline = time.monotonic() + timeout
        if not self.pico.wait_link(timeout):
            return False
        while time.monotonic() + over_s < deadline:
            t0, c0 = time.monotonic(), self.pico.clock_ms()
            time.sleep(over_s)
            stats = self.pico.stats()
            ran_ms = float(stats["t_ms"]) - c0
            if stats["on"] and self.pico.link_up and ran_ms >= min_rate * (time.monotonic() - t0) * 1000:
                return True
        return False

    def power_cycle(self) -> None:
        self.pico.power_off()
        self.pico.power_on()

    # -- the pedals and the connector --------------------------------------------------------------
    def _level(self, pedal: str) -> bool:
        """An input reads low only through a closed contact of a plugged-in pedal."""
        return not (self._plugged and self._closed[pedal])

    def _apply_lines(self) -> None:
        """All three connector lines at one instant (they open together as the plug comes out)."""
        levels = {gpio: self._level(pedal) for pedal, gpio in self._pedal_pin.items()}
        levels[self.gpio["PEDAL_PRESENT"]] = not self._plugged
        self.pico.set_inputs(levels)

    def press(self, pedal: str = "A", bounce: bool = False) -> float:
        """Close pedal ``pedal``'s contact now; return the board time (ms, unwrapped) it closed at."""
        return self._move(pedal, True, bounce)

    def release(self, pedal: str = "A", bounce: bool = False) -> float:
        return self._move(pedal, False, bounce)

    def _move(self, pedal: str, closed: bool, bounce: bool) -> float:
        gpio = self._pedal_pin[pedal]
        self._closed[pedal] = closed
        if not self._plugged:
            return self.pico.clock_ms()
        if bounce:
            return self.pico.drive(
                gpio, [(ms * 1000, not (closed if same else not closed)) for ms, same in BOUNCE]
            )
        return self.pico.set_input(gpio, not closed)

    def tap(self, pedal: str = "A", ms: int = 120) -> None:
        """Press for exactly ``ms`` of the board's clock (both edges in one command, so a slow
        host cannot stretch a tap into a hold); return once the board's clock is past it."""
        gpio = self._pedal_pin[pedal]
        if self._plugged:
            self.pico.run_for(ms, self.pico.drive(gpio, [(0, False), (ms * 1000, True)]))
        else:
            self.pico.run_for(ms)

    def hold(self, pedal: str = "A", ms: int = 900) -> None:
        self.tap(pedal, ms)

    def unplug(self) -> None:
        """Pull the pedal connector: its contacts and the present loop go open together."""
        self._plugged = False
        self._apply_lines()

    def replug(self) -> None:
        self._plugged = True
        self._apply_lines()

    def stall(self) -> float:
        """Hang the running firmware's pedals task (see :mod:`tools.emulated_pico.stall`)."""
        return stall_pedals_task(self)

    # -- readback ----------------------------------------------------------------------------------
    def pin_log(self, since_index: int = 0) -> list[PinChange]:
        """Light, buzzer, boot and watchdog changes, from event index ``since_index`` on."""
        return [c for e in self.pico.events(since_index) if (c := self._change(e)) is not None]

    def log_length(self) -> int:
        return self.pico.event_count()

    def _change(self, e: PicoEvent) -> PinChange | None:
        ms = int(e.board_ms)
        if e.kind == "ws2812":
            r, g, b = e.data["pixels"][0]
            return PinChange(ms, "rgb", (int(r), int(g), int(b)))
        if e.kind == "pin" and e.data["pin"] == self.gpio["BUZZER"]:
            return PinChange(ms, "buzzer", (int(e.data["level"]),))
        if e.kind == "boot":
            return PinChange(ms, "boot", (int(e.data["boot"]), _CAUSES.get(e.data["cause"], pc.RESET_SOFT)))
        if e.kind == "watchdog":
            return PinChange(ms, "watchdog", ())
        return None

    def light(self) -> tuple[int, int, int]:
        """The colour the light was last sent since the latest boot ((0, 0, 0) before any)."""
        for c in reversed(self.pin_log(self._last_boot())):
            if c.pin == "rgb":
                return (c.values[0], c.values[1], c.values[2])
        return (0, 0, 0)

    def buzzer(self) -> bool:
        for c in reversed(self.pin_log(self._last_boot())):
            if c.pin == "buzzer":
                return bool(c.values[0])
        return False

    def _last_boot(self) -> int:
        events = self.pico.events()
        for i in range(len(events) - 1, -1, -1):
            if events[i].kind == "boot":
                return i
        return 0

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        return self.pico.wait_for(predicate, timeout)

    def run_for(self, ms: float, start: float | None = None) -> tuple[float, float]:
        """Let ``ms`` of the board's clock pass from ``start`` (default now; :meth:`EmulatedPico.run_for`)."""
        return self.pico.run_for(ms, start)

    def clock_ms(self) -> float:
        """The board's own clock now, unwrapped (:meth:`EmulatedPico.clock_ms`)."""
        return self.pico.clock_ms()

    def board_ms(self) -> int:
        """The board's time.ticks_ms() now (wrapped at 2**30, as on the board)."""
        return int(self.pico.clock_ms()) & ((1 << 30) - 1)
