"""The simulated back end: the real firmware (.mpy) on the MicroPython unix port and the probe simulator.

The pedal board's pin changes are stamped with its own ``time.ticks_ms()``, which on the unix
port is CLOCK_MONOTONIC in ms wrapped at 2**30; they are unwrapped here onto host monotonic
seconds. Unplugging the probe ends the simulator process (its pty vanishes, as a pulled USB
cable's port does); replugging starts a fresh one on the same link path.
"""

from __future__ import annotations

import time
from pathlib import Path

from sonocart.firmware_tool.build import Build
from sonocart.sim.pedal_board import PinChange, SimulatedPedalBoard
from tests.conftest import SimProcess

from .interface import Sample, colour_name

WRAP_MS = 1 << 30


def host_time(board_ms: int, now: float | None = None) -> float:
    """A unix-port tick (ms, wrapped at 2**30) as host monotonic seconds."""
    now_ms = int((time.monotonic() if now is None else now) * 1000)
    return (now_ms - (now_ms - board_ms) % WRAP_MS) / 1000.0


class SimulatedProbeLink:
    """The probe simulator on ``workdir/probe``: unplugging ends it (its pty vanishes, as a pulled
    USB cable's port does), replugging starts a fresh one on the same path. Shared by the back
    ends whose probe is simulated."""

    def __init__(self, workdir: Path, probe_args: list[str] | None = None) -> None:
        self.probe_port = str(workdir / "probe")
        self._probe_args = probe_args or ["--fps", "30", "--lines", "64", "--samples", "256"]
        self.probe = SimProcess(Path(self.probe_port), self._probe_args)

    def probe_unplug(self) -> float:
        t = time.monotonic()
        self.probe.kill()
        return t

    def probe_replug(self) -> float:
        t = time.monotonic()
        self.probe = SimProcess(Path(self.probe_port), self._probe_args).start()
        return t


class SimRig(SimulatedProbeLink):
    name = "sim"

    def __init__(self, workdir: Path, fw: Build, probe_args: list[str] | None = None) -> None:
        super().__init__(workdir, probe_args)
        self.board = SimulatedPedalBoard(workdir / "pedal", workdir / "pedal.ctl", fw)
        self.pedal_port = str(self.board.link_path)

    def start(self) -> SimRig:
        self.board.start()
        self.probe.start()
        return self

    def close(self) -> None:
        self.probe.stop()
        self.board.stop()

    # -- pedals and board ------------------------------------------------------------------------
    def press(self, pedal: str) -> float:
        t = time.monotonic()
        self.board.press(pedal)
        return t

    def release(self, pedal: str) -> float:
        t = time.monotonic()
        self.board.release(pedal)
        return t

    def pedal_unplug(self) -> None:
        self.board.unplug()

    def pedal_replug(self) -> None:
        self.board.replug()

    def board_reset(self) -> float:
        t = time.monotonic()
        self.board.reset()
        return t

    def board_power(self, on: bool) -> None:
        (self.board.power_on if on else self.board.power_off)()

    # -- readback --------------------------------------------------------------------------------
    def light(self) -> str:
        return colour_name(self.board.light())

    def _log(self, pin: str, since: float) -> list[Sample]:
        now = time.monotonic()
        out: list[Sample] = []
        for c in self.board.pin_log():
            if c.pin != pin or not c.values:
                continue
            t = host_time(c.board_ms, now)
            v = self._value(c)
            if t >= since and (not out or out[-1].value != v):
                out.append(Sample(t, v))
        return out

    @staticmethod
    def _value(c: PinChange) -> str:
        if c.pin == "rgb" and len(c.values) == 3:
            return colour_name((c.values[0], c.values[1], c.values[2]))
        return "on" if c.values[0] else "off"

    def light_log(self, since: float) -> list[Sample]:
        return self._log("rgb", since)

    def buzzer_log(self, since: float) -> list[Sample]:
        return self._log("buzzer", since)
