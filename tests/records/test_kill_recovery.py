"""A process killed with SIGKILL mid-procedure loses nothing: same phase and step, timers keep true time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.inputs import Note
from sonocart.records.record import ProcedureRecord

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[1] / "host/sonocart/procedures/examples/femoral_block.toml"
WALL0 = 1_800_000_000.0


@pytest.mark.timeout(60)
def test_sigkill_mid_procedure_then_restart_resumes_same_step_with_wall_anchored_timer(
    tmp_path: Path,
) -> None:
    child = subprocess.Popen(
        [sys.executable, str(HERE / "kill_child.py"), str(tmp_path), str(EXAMPLE), str(WALL0)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    ready = child.stdout.readline().split()
    assert ready[0] == "READY", ready
    path, obs_started, step_before = Path(ready[1]), float(ready[2]), ready[3]
    committed: list[int] = []
    while len(committed) < 40:
        line = child.stdout.readline()
        committed.append(int(line.split()[1]))
    os.kill(child.pid, signal.SIGKILL)  # mid-stream: a commit may be in flight
    child.wait()
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    ten_min_later = ManualClock(wall=obs_started + 600, monotonic=5.0)
    record = ProcedureRecord.open(path, load_catalogue(), ten_min_later)
    try:
        seqs = [e.seq for e in record.journal.events()]
        assert record.journal.verify() == len(seqs)
        assert set(committed) <= set(seqs)  # every commit reported done survived
        assert seqs == list(range(1, len(seqs) + 1))  # nothing reordered, nothing missing
        assert step_before == "observe"
        assert record.engine.state.current_phase_id() == "observation"
        assert record.engine.current_step().id == "observe"  # type: ignore[union-attr]
        assert record.engine.timer_remaining("observation") == pytest.approx(1200)
        record.engine.submit(Note("after restart", "rn_ben"))  # and the record goes on
        ten_min_later.advance(1200)
        record.engine.tick()
        assert "timer:observation" in record.engine.state.prompts
        assert record.engine.current_step().id == "hr_after"  # type: ignore[union-attr]  (vitals after, then pain)
    finally:
        record.close()
