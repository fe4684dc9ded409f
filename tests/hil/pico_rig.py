"""The emulated-Pico back end: the Pico build on the official MicroPython rp2 image in rp2040js,
through ``board_pico.py``, installed by ``sonocart firmware flash`` (tests/rp2.py), and the probe
simulator (as on the ``sim`` back end).

Where a bench rig closes opto-couplers on the pedal lines, this one drives the emulated chip's
input pins (the chip sees each change at its clock's now; ``press``/``release`` return that instant
in host seconds); where a bench rig samples a colour sensor, this one decodes the WS2812 bitstream on the
light's data pin. Pin-log times are the board's own milliseconds since its boot, and the board's
clock is paced to CLOCK_MONOTONIC from the instant the boot began (``boot`` events carry that
instant, ``mono_ns``), so ``mono_ns / 1e9 + board_ms / 1000`` is host ``time.monotonic()`` when the
board keeps pace, and earlier by its lag when a loaded host slows it (``board_now``).

What rp2040js does not model (pull-ups, core 1, RP2350, unique id) is in tools/emulated_pico/README.md;
the harness drives the released pedal levels itself.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests import rp2
from tools.emulated_pico.pedal_board import EmulatedPedalBoard
from tools.emulated_pico.pico import PicoEvent

from .interface import Sample, colour_name
from .sim_rig import SimulatedProbeLink


def host_times(events: list[PicoEvent]) -> list[tuple[float, PicoEvent]]:
    """Each light/buzzer event at its host monotonic time, from the boot it happened in."""
    out: list[tuple[float, PicoEvent]] = []
    origin: float | None = None
    for e in events:
        if e.kind == "boot":
            origin = float(e.data["mono_ns"]) / 1e9
        elif origin is not None and e.kind in ("ws2812", "pin"):
            out.append((origin + e.board_ms / 1000.0, e))
    return out


class PicoRig(SimulatedProbeLink):
    name = "pico"

    def __init__(self, workdir: Path, image: Path, probe_args: list[str] | None = None) -> None:
        super().__init__(workdir, probe_args)
        self._workdir = workdir
        self._image = image
        self.board: EmulatedPedalBoard | None = None
        self.pedal_port = str(workdir / "rp2" / "pedal")

    def start(self) -> PicoRig:
        self.board = rp2.board_from(self._image, self._workdir / "rp2")  # booted, clock caught up
        try:
            self.probe.start()
        except BaseException:
            self.board.stop()
            raise
        return self

    def close(self) -> None:
        self.probe.stop()
        if self.board is not None:
            rp2.note_lag(self.board)
            self.board.stop()

    def _board(self) -> EmulatedPedalBoard:
        assert self.board is not None, "PicoRig not started"
        return self.board

    # -- pedals and board ------------------------------------------------------------------------
    def press(self, pedal: str) -> float:
        """Close the contact now; return the host time of the board's clock it closed at."""
        return self._origin() + self._board().press(pedal) / 1000.0

    def release(self, pedal: str) -> float:
        return self._origin() + self._board().release(pedal) / 1000.0

    def pedal_unplug(self) -> None:
        self._board().unplug()

    def pedal_replug(self) -> None:
        self._board().replug()

    def board_reset(self) -> float:
        t = time.monotonic()
        self._board().reset()
        return t

    def board_power(self, on: bool) -> None:
        (self._board().power_on if on else self._board().power_off)()

    # -- the board's clock ------------------------------------------------------------------------
    def _origin(self) -> float:
        """The host time the current boot's clock counts from (its boot event's ``mono_ns``)."""
        boots = [e for e in self._board().pico.events() if e.kind == "boot"]
        assert boots, "the board has not booted"
        return float(boots[-1].data["mono_ns"]) / 1e9

    def board_now(self) -> float:
        """The host time the board's own clock has reached: behind ``time.monotonic()`` by the
        emulator's lag. Samples up to it are all in :meth:`light_log` and :meth:`buzzer_log`."""
        return self._origin() + self._board().pico.clock_ms() / 1000.0

    def wait_until(self, t: float) -> None:
        """Return once the board's own clock has passed host time ``t`` (however far it lags)."""
        self._board().pico.wait_clock((t - self._origin()) * 1000.0)

    # -- readback --------------------------------------------------------------------------------
    def light(self) -> str:
        return colour_name(self._board().light())

    def _log(self, kind: str, since: float) -> list[Sample]:
        board = self._board()
        buzzer = board.gpio["BUZZER"]
        out: list[Sample] = []
        for t, e in host_times(board.pico.events()):
            if e.kind != kind or (kind == "pin" and e.data["pin"] != buzzer):
                continue
            if kind == "ws2812":
                r, g, b = e.data["pixels"][0]
                v = colour_name((int(r), int(g), int(b)))
            else:
                v = "on" if e.data["level"] else "off"
            if t >= since and (not out or out[-1].value != v):
                out.append(Sample(t, v))
        return out

    def light_log(self, since: float) -> list[Sample]:
        return self._log("ws2812", since)

    def buzzer_log(self, since: float) -> list[Sample]:
        return self._log("pin", since)
