"""``sonocart cart`` (the ExecStart): udev device names, resume, first-start key, bad settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart.records.record import ProcedureRecord


def cart(state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sonocart", "cart", "--state", str(state), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_app_starts_full_screen_on_the_udev_names_and_resumes_the_open_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SONOCART_KEY_DIR", str(tmp_path / "keys"))  # the record signed with the cart's key
    record = ProcedureRecord.create(
        tmp_path / "records",
        load_catalogue(),
        ManualClock(),
        "femoral_nerve_block",
        {"name": "DOE^JANE"},
        "dr_ana",
    )
    record.close()
    proc = cart(tmp_path)
    assert proc.returncode == 0, proc.stderr
    argv = proc.stdout.split()
    assert argv[1:3] == ["-m", "sonocart_ui"]
    assert argv[argv.index("--probe") + 1] == "/dev/sonocart-probe"
    assert argv[argv.index("--pedal") + 1] == "/dev/sonocart-pedal"
    assert "--fullscreen" in argv and "--demo" not in argv
    assert argv[argv.index("--resume") + 1] == str(record.path)
    assert (tmp_path / "keys" / "cart.key").is_file()
    assert "DOE" not in proc.stderr


def test_an_invalid_settings_file_stops_with_status_2_and_is_left_as_it_was(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"idle_lock_s": "soon"}')
    proc = cart(tmp_path)
    assert proc.returncode == 2
    assert "idle_lock_s" in proc.stderr
    assert settings.read_text() == '{"idle_lock_s": "soon"}'
