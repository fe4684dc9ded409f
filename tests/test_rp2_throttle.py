"""The load throttle (SONOCART_EMULATOR_DUTY) never leaves the emulated Pico stopped after its test
process is gone (tools/emulated_pico/throttle.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests import rp2
from tools.emulated_pico.throttle import DUTY_ENV

ROOT = Path(__file__).resolve().parents[1]

# A test process: an emulator (unpowered) under the throttle; it prints the emulator's pid and waits.
_PARENT = """\
import sys, time
from pathlib import Path
from tools.emulated_pico.pico import EmulatedPico
pico = EmulatedPico(Path(sys.argv[1]) / "flash.bin", Path(sys.argv[1]) / "link").start()
print(pico.pid, flush=True)
time.sleep(600)
"""


def _state(pid: int) -> str | None:
    """The kernel's one-letter state of ``pid`` (T: stopped), None once it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    state = stat.rsplit(")", 1)[1].split()[0]
    return None if state in ("Z", "X") else state


def _until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def test_an_emulator_stopped_by_the_throttle_does_not_stay_stopped_when_its_test_process_is_killed(
    tmp_path: Path,
) -> None:
    rp2.require_rp2()
    env = {**os.environ, DUTY_ENV: "0.25", "PYTHONPATH": os.pathsep.join([str(ROOT / "host"), str(ROOT)])}
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(tmp_path)], stdout=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert parent.stdout is not None
    node = int(parent.stdout.readline())
    try:
        assert _until(lambda: _state(node) == "T", 10.0), "the throttle never stopped the emulator"
        parent.send_signal(signal.SIGKILL)  # while the emulator is stopped
        parent.wait(5)
        # it runs again, sees its stdin closed (the dead parent's pipe) and exits
        assert _until(lambda: _state(node) is None, 10.0), f"emulator left in state {_state(node)}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(node, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait(5)
