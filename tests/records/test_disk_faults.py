"""A full or read-only disk gives a clear error, the procedure does not advance, and the journal stays whole.

The disk is real: a 2 MiB tmpfs mounted in a private mount namespace (``unshare -m``), filled or remounted
read-only while the record is open.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def run_child(mode: str, tmp_path: Path) -> dict[str, object]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(
        ["unshare", "-m", sys.executable, str(HERE / "disk_child.py"), mode, str(mnt)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(("mode", "message"), [("full", "disk is full"), ("readonly", "read-only")])
def test_disk_fault_stops_the_procedure_with_a_clear_error_and_loses_nothing(
    mode: str, message: str, tmp_path: Path
) -> None:
    out = run_child(mode, tmp_path)
    assert message in str(out["error"])
    assert out["during"] == out["before"]  # not advanced, nothing shown as done
    _step, seq = out["before"]  # type: ignore[misc]
    assert out["after"] == ["consent_side", seq + 2]  # the retry after recovery: answered + step_completed
    assert out["verified"] == seq + 2
    assert out["reopened"] == ["consent_side", seq + 2]
