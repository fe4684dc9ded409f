"""The host app the rig drives: pedal board + probe + a journaled procedure, headless (no Kivy).

It does with the devices what the cart app does: every pedal event the driver delivers is
journaled (a Note naming the event and its ``(boot, seq)`` identity, so a doubled delivery
would show as two rows), pedal A presses toggle recording, and the status light follows the
image: ``imaging`` (or ``recording``) while the probe is live, ``alarm_medium`` on NO SIGNAL.
Run as a process (``python -m tools.rig.bench_host``) it prints one line per fact, so a
rig test or the soak can follow it and then SIGKILL it::

    READY <record path> <step id>
    COMMITTED <journal seq> <pedal> <kind> <boot hex> <seq>
    STATUS {json}
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from sonocart.clock import SystemClock
from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import FaultEvent, PedalEvent
from sonocart.devices.probe import ProbeClient
from sonocart.imaging.liveness import assess
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.inputs import Note
from sonocart.records.record import ProcedureRecord
from sonocart.scripted.script import Capture, Wait, load_script

EXAMPLE = Path(__file__).resolve().parents[1] / "procedures" / "examples" / "femoral_block.toml"
OPERATOR = "rn_ben"
PEDAL_NOTE = "pedal {pedal} {kind} boot {boot:08x} seq {seq}"


def open_record(records: Path, resume: Path | None, prefix_inputs: int = 6) -> ProcedureRecord:
    """Resume the record at ``resume``, or start the example procedure and play its first inputs."""
    catalogue, clock = load_catalogue(), SystemClock()
    if resume is not None:
        return ProcedureRecord.open(resume, catalogue, clock)
    script = load_script(EXAMPLE)
    record = ProcedureRecord.create(
        records, catalogue, clock, script.procedure, script.patient, script.operator
    )
    for played, step in enumerate(script.steps):
        if isinstance(step, Wait | Capture) or played >= prefix_inputs:
            break
        record.engine.submit(step)
    return record


def rss_kib() -> int:
    """Resident set size now (KiB), from /proc: the soak's memory-growth figure."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class HostApp:
    """Devices + record, one loop; :meth:`run` until :meth:`stop`. ``out`` gets the protocol lines."""

    def __init__(
        self,
        records: Path,
        resume: Path | None,
        pedal_port: str,
        probe_port: str | None,
        out: TextIO | None = None,
        status_every_s: float = 1.0,
    ) -> None:
        self._records, self._resume = records, resume
        self.pedal = PedalBoard(pedal_port)
        self.probe = ProbeClient(probe_port) if probe_port else None
        self.out = out
        self.status_every_s = status_every_s
        self.recording = False
        self.indicator = ""
        self.committed: list[int] = []
        self.board_dropped = 0
        self.ready = threading.Event()
        self._record: ProcedureRecord | None = None
        self._stop = threading.Event()

    @property
    def record(self) -> ProcedureRecord:
        if self._record is None:
            raise RuntimeError("the host app has not opened its record yet")
        return self._record

    def stop(self) -> None:
        self._stop.set()

    def step_id(self) -> str:
        step = self.record.engine.current_step()
        return step.id if step is not None else "-"

    def _say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line + "\n")
            self.out.flush()

    def live(self) -> bool:
        if self.probe is None:
            return True
        _, arrived, _ = self.probe.latest.get()
        return assess(time.monotonic(), arrived, self.probe.status().fault).live

    def run(self) -> None:
        """Open the record (SQLite objects stay on this thread), start the devices, serve until stopped."""
        self._record = open_record(self._records, self._resume)
        self.pedal.start()
        if self.probe is not None:
            self.probe.start()
        self._say(f"READY {self.record.path} {self.step_id()}")
        self.ready.set()
        try:
            self._loop()
        finally:
            self.pedal.stop()
            if self.probe is not None:
                self.probe.stop()
            self.record.close()

    def _loop(self) -> None:
        next_status = time.monotonic()
        while not self._stop.is_set():
            ev = self.pedal.get_event(0.02)
            if isinstance(ev, PedalEvent):
                self._on_pedal(ev)
            elif isinstance(ev, FaultEvent) and ev.fault == "events_lost" and ev.active:
                self._on_board_dropped(ev)
            self._update_light()
            if time.monotonic() >= next_status:
                next_status += self.status_every_s
                self._say("STATUS " + json.dumps(self.status()))

    def _on_pedal(self, ev: PedalEvent) -> None:
        text = PEDAL_NOTE.format(pedal=ev.pedal, kind=ev.kind, boot=ev.boot_id, seq=ev.seq)
        seq = self.record.engine.submit(Note(text, OPERATOR))[-1].seq
        self.committed.append(seq)
        self._say(f"COMMITTED {seq} {ev.pedal} {ev.kind} {ev.boot_id:08x} {ev.seq}")
        if ev.pedal == "A" and ev.kind == "press":
            self.recording = not self.recording
            self._update_light()

    def _on_board_dropped(self, ev: FaultEvent) -> None:
        """The board dropped pedal events nobody acknowledged (host lost): on the record, and counted."""
        self.board_dropped += ev.arg
        self.record.engine.submit(Note(f"board dropped {ev.arg} pedal events (host lost)", OPERATOR))

    def _update_light(self) -> None:
        want = ("recording" if self.recording else "imaging") if self.live() else "alarm_medium"
        if want != self.indicator:
            self.indicator = want
            self.pedal.set_indicator(want)

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": round(time.monotonic(), 3), "rss_kib": rss_kib(), "step": self.step_id()}
        ps = self.pedal.status()
        out["pedal"] = {
            "connected": ps.connected,
            "fault": ps.fault,
            "delivered": ps.events_delivered,
            "duplicates_dropped": ps.duplicates_dropped,
            "bad_frames": ps.bad_frames,
            "board_resets": ps.board_resets,
            "board_dropped": self.board_dropped,
        }
        if self.probe is not None:
            pr = self.probe.status()
            out["probe"] = {
                "connected": pr.connected,
                "fault": pr.fault,
                "frames": pr.frames,
                "gaps": pr.sequence_gaps,
                "bad": pr.bad_frames,
                "device_dropped": pr.device_dropped,
                "fps": round(pr.fps, 1),
            }
        return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.rig.bench_host", description=__doc__)
    p.add_argument("--pedal-port", required=True)
    p.add_argument("--probe-port", default=None)
    p.add_argument("--records", type=Path, default=Path("run/records"))
    p.add_argument("--resume", type=Path, default=None, help="record folder to resume after a restart")
    p.add_argument("--status-every", type=float, default=1.0)
    args = p.parse_args(argv)
    app = HostApp(args.records, args.resume, args.pedal_port, args.probe_port, sys.stdout, args.status_every)
    signal.signal(signal.SIGTERM, lambda *_: app.stop())
    with contextlib.suppress(KeyboardInterrupt):
        app.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
