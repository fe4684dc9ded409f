"""A rig board emulated on the host: the rig firmware's logic (firmware/rig/rig.py) on a pty, wired to
the simulated pedal board and a relayed probe simulator instead of opto-couplers and a colour sensor.

It lets the real back end (:class:`RealRig`: protocol client, clock sync, light log) run in CI
against the same firmware logic a bench rig runs, without hardware. The light is sampled every
millisecond, as a colour sensor would be.
"""

from __future__ import annotations

import contextlib
import importlib.util
import select
import threading
import time
from pathlib import Path
from types import ModuleType

from sonocart.firmware_tool.build import Build
from sonocart.sim.pedal_board import SimulatedPedalBoard
from sonocart.sim.pty import PtyEndpoint
from sonocart.wire import pedal_codec as pc
from tests.conftest import SimProcess
from tools.rig.relay import FaultRelay

RIG_FIRMWARE = Path(__file__).resolve().parents[2] / "firmware" / "rig" / "rig.py"
SAMPLE_S = 0.001


def load_rig_firmware() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sonocart_rig_firmware", RIG_FIRMWARE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class EmulatedBoardPins:
    """The board interface firmware/rig/rig.py drives, acting on simulated devices."""

    def __init__(self, pedal: SimulatedPedalBoard, probe: FaultRelay) -> None:
        self.pedal = pedal
        self.probe = probe

    def now_us(self) -> int:
        return int(time.monotonic() * 1e6)

    def sleep_ms(self, ms: int) -> None:
        time.sleep(ms / 1000)

    def set_pedal(self, i: int, closed: bool) -> None:
        with contextlib.suppress(RuntimeError):  # board powered off: the opto closes a dead line
            (self.pedal.press if closed else self.pedal.release)("AB"[i])

    def set_present(self, present: bool) -> None:
        (self.pedal.replug if present else self.pedal.unplug)()

    def set_reset(self, asserted: bool) -> None:
        if asserted:
            self.pedal.power_off()
        else:
            self.pedal.power_on(pc.RESET_SOFT)

    def set_dut_power(self, on: bool) -> None:
        if on:
            self.pedal.power_on()
        else:
            self.pedal.power_off()

    def set_probe(self, connected: bool) -> None:
        (self.probe.replug if connected else self.probe.unplug)()

    def read_rgb(self) -> tuple[int, int, int]:
        return self.pedal.light()

    def buzzer_on(self) -> bool:
        return self.pedal.buzzer()


class EmulatedRigBoard:
    """Pedal board + probe + rig board, all simulated; ``rig_port``, ``pedal_port``, ``probe_port``."""

    def __init__(self, workdir: Path, fw: Build) -> None:
        self.pedal = SimulatedPedalBoard(workdir / "pedal", None, fw)
        self.probe_sim = SimProcess(
            workdir / "probe-dev", ["--fps", "30", "--lines", "64", "--samples", "256"]
        )
        self.relay = FaultRelay(workdir / "probe-dev", workdir / "probe")
        self.rig_port = str(workdir / "rig")
        self.pedal_port = str(workdir / "pedal")
        self.probe_port = str(workdir / "probe")
        self._pty: PtyEndpoint | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="emulated-rig-board", daemon=True)

    def start(self) -> EmulatedRigBoard:
        self.pedal.start()
        self.probe_sim.start()
        self.relay.start()
        self._pty = PtyEndpoint(Path(self.rig_port))
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        if self._pty is not None:
            self._pty.close()
        self.relay.stop()
        self.probe_sim.stop()
        self.pedal.stop()

    def _serve(self) -> None:
        assert self._pty is not None
        pty = self._pty
        rig = load_rig_firmware().Rig(EmulatedBoardPins(self.pedal, self.relay))
        buf = b""
        while not self._stop.is_set():
            readable, _, _ = select.select([pty.master], [], [], SAMPLE_S)
            if readable:
                buf += pty.read()
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    pty.write((rig.handle(raw.decode(errors="replace").strip()) + "\n").encode())
            for line in rig.poll():
                pty.write((line + "\n").encode())
