"""A simulator that does not come up in time fails its test and is not left running.

Oracle: the operating system's view of the spawned process (its exit status once killed), not the
helper's own bookkeeping.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SimProcess


def test_a_simulator_too_slow_to_start_is_killed_when_its_wait_fails(tmp_path: Path) -> None:
    sim = SimProcess(tmp_path / "probe", ["--lines", "64", "--samples", "256"]).spawn()
    assert sim.proc is not None
    try:
        with pytest.raises(AssertionError, match="did not create its pty link"):
            sim.ready(timeout_s=0.0)  # (an interpreter start with numpy takes far longer than nothing)
        assert sim.proc.wait(5) != 0  # gone, and by a signal, not by exiting on its own
    finally:
        if sim.proc.poll() is None:
            sim.proc.kill()
            sim.proc.wait(5)
