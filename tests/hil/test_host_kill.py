"""The host app killed with SIGKILL mid-procedure: on restart the procedure resumes where it was."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import Recorder
from .helpers import first_change, journaled_pedal_notes, tap, wait_for
from .interface import Rig


class HostProcess:
    """``python -m tools.rig.bench_host`` on the rig's ports; its stdout lines in a queue."""

    def __init__(self, rig: Rig, records: Path, resume: Path | None = None) -> None:
        cmd = [sys.executable, "-m", "tools.rig.bench_host", "--pedal-port", rig.pedal_port]
        cmd += ["--probe-port", rig.probe_port, "--records", str(records)]
        cmd += ["--resume", str(resume)] if resume else []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def expect(self, word: str, timeout: float = 20.0) -> list[str]:
        """The next line starting with ``word`` (pytest-embedded style ``expect``)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line.startswith(word + " "):
                return line.split()
        pytest.fail(f"host app printed no {word} line within {timeout} s")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def test_host_app_killed_with_sigkill_resumes_the_procedure_where_it_was(
    rig: Rig, figures: Recorder, tmp_path: Path
) -> None:
    first = HostProcess(rig, tmp_path / "records")
    try:
        _, path, step = first.expect("READY")
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light")
        committed = []
        for _ in range(3):
            tap(rig, "B")
            committed += [int(first.expect("COMMITTED", 5.0)[1]) for _ in range(3)]
        killed = time.monotonic()
        first.kill()
    finally:
        first.stop()
    lost = first_change(rig, killed, "yellow", timeout=3.0)  # the board notices the host is gone
    restarted = time.monotonic()
    second = HostProcess(rig, tmp_path / "records", resume=Path(path))
    try:
        _, path2, step2 = second.expect("READY")
        back = first_change(rig, restarted, "blue", timeout=10.0)
        tap(rig, "A")
        after = [second.expect("COMMITTED", 5.0) for _ in range(3)]
    finally:
        second.stop()
    notes = journaled_pedal_notes(Path(path))
    assert (path2, step2) == (path, step)  # the same record, at the same step
    assert [n.split()[1:3] for n in notes] == [
        ["B", k] for _ in range(3) for k in ("press", "release", "tap")
    ] + [["A", k] for k in ("press", "release", "tap")]
    assert int(after[0][1]) == max(committed) + 1  # the journal goes on from where it was
    figures("host killed to host-lost light", (lost.t - killed) * 1000, "ms", "<= 1000")
    figures("host process restart to light restored", (back.t - restarted) * 1000, "ms")
    assert lost.t - killed <= 1.0 + 0.03
