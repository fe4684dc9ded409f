"""`sonocart run` with no display: simulator + app on Xvfb, a refreshed screenshot, clean Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ARTIFACTS


def _children_of(pids: set[int]) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    return {int(p) for p, pp in (line.split() for line in out.splitlines()) if int(pp) in pids}


def _alive() -> list[str]:
    return subprocess.run(["ps", "-eo", "pid="], capture_output=True, text=True).stdout.split()


def _start_run(run_dir: Path, kivy_home: Path) -> subprocess.Popen[str]:
    """``sonocart run`` with no display (it starts its own Xvfb), in its own session as from a terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(kivy_home)
    return subprocess.Popen(
        [sys.executable, "-m", "sonocart", "run", "--run-dir", str(run_dir), "--screenshot-every", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _pids_matching(text: str) -> set[int]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return {int(line.split(None, 1)[0]) for line in out.splitlines() if text in line and "ps -eo" not in line}


def _gone(text: str, grace_s: float) -> set[int]:
    """The processes matching ``text`` still there ``grace_s`` after the launcher exited (none: at once)."""
    deadline = time.monotonic() + grace_s
    while (left := _pids_matching(text)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.ui
def test_headless_run_with_simulated_probe_and_pedal_board_refreshes_a_screenshot_and_ctrl_c_leaves_nothing(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    proc = _start_run(run_dir, tmp_path / "kivy")
    shot = run_dir / "screen.png"
    try:
        deadline = time.monotonic() + 60
        while not shot.exists():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "no screenshot within 60 s"
            time.sleep(0.1)
        first = shot.stat().st_mtime_ns
        while shot.stat().st_mtime_ns == first:
            assert time.monotonic() < deadline + 10, "screenshot not refreshed"
            time.sleep(0.1)
        image = Image.open(shot)
        assert image.size == (1280, 800)
        (ARTIFACTS / "run").mkdir(parents=True, exist_ok=True)
        image.save(ARTIFACTS / "run" / "headless-run.png")
        ours = _pids_matching(str(run_dir))
        assert ours, "simulators and app should be running"
        micropython = {p for p in _children_of(ours) if p not in ours}
        assert micropython, "the pedal-board firmware should run on the unix-port micropython"
        xvfb = {p for p in _children_of({proc.pid}) if Path(f"/proc/{p}/comm").read_text().strip() == "Xvfb"}
        assert xvfb, "the launcher should have started its own Xvfb"
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends to the foreground group
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert f"Screenshot refreshed every 0.5 s: {shot.resolve()}" in output
    assert "using the simulated probe" in output
    assert "the firmware runs on the unix-port micropython as a simulated board" in output
    assert _gone(str(run_dir), 0.5) == set(), "a child process outlived Ctrl-C"
    # Our own Xvfb by its pid, not its display socket: another test run may take the display number at once.
    assert re.search(r"virtual display :(\d+)", output), output
    assert not xvfb & {int(p) for p in _alive()}, "Xvfb outlived Ctrl-C"
    assert not (run_dir / "probe").exists(), "the simulator's pty link was left behind"
    assert not (run_dir / "pedal").exists() and not (run_dir / "pedal.ctl").exists(), "pedal sim left behind"
    assert not micropython & {int(p) for p in _alive()}, "the simulated board's micropython outlived Ctrl-C"


@pytest.mark.ui
def test_a_dead_probe_simulator_is_started_again_and_the_app_stays_up(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = _start_run(run_dir, tmp_path / "kivy")
    sim_marker = f"--link {run_dir / 'probe'}"
    try:
        deadline = time.monotonic() + 60
        shot = run_dir / "screen.png"
        while not shot.exists():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "no screenshot within 60 s"
            time.sleep(0.1)
        sims = _pids_matching(sim_marker)
        apps = _pids_matching("-m sonocart_ui")
        apps = {p for p in apps if str(run_dir) in Path(f"/proc/{p}/cmdline").read_text()}
        assert len(sims) == 1 and len(apps) == 1, (sims, apps)
        os.kill(sims.pop(), signal.SIGKILL)  # the simulated probe dies as a pulled cable would
        deadline = time.monotonic() + 20
        while not (_pids_matching(sim_marker) - sims):
            assert proc.poll() is None, "the launcher stopped when the simulator died"
            assert time.monotonic() < deadline, "the simulator was not started again within 20 s"
            time.sleep(0.1)
        # Still up and drawing after the restart: two more screenshot refreshes (every 0.5 s).
        for _ in range(2):
            seen = shot.stat().st_mtime_ns
            while shot.stat().st_mtime_ns == seen:
                assert proc.poll() is None, "the launcher stopped"
                assert time.monotonic() < deadline + 10, "no screenshot after the simulator came back"
                time.sleep(0.05)
        assert proc.poll() is None, "the launcher stopped"
        assert all(Path(f"/proc/{p}").exists() for p in apps), "the app closed when the simulator died"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert "probe simulator exited with status -9; starting it again (the app stays up)." in output
    assert proc.returncode == 0, output
    assert _gone(str(run_dir), 0.5) == set(), "a child process outlived Ctrl-C"
