"""``sonocart procedure`` and ``sonocart export`` as a rig runs them: subprocess, exit codes, paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from procedure_drivers import EXAMPLE

from sonocart.cli import COMMAND_MODULES


def sonocart(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"sonocart.commands.{command}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_procedure_and_export_are_registered_cli_commands() -> None:
    assert "sonocart.commands.procedure" in COMMAND_MODULES
    assert "sonocart.commands.export" in COMMAND_MODULES


def test_a_scripted_run_goes_through_the_cart_and_prints_its_event_stream(tmp_path: Path) -> None:
    done = sonocart("procedure", "run", "--script", str(EXAMPLE), "--records", str(tmp_path), "--events")
    assert done.returncode == 0, done.stderr
    *lines, path = done.stdout.strip().splitlines()
    events = [json.loads(line) for line in lines]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "record_opened" and events[0]["path"] == path
    captures = [e for e in events if e["event"] == "capture"]
    raw = EXAMPLE.read_text()
    assert len(captures) == raw.count('type = "capture"') and captures[0]["file"] == "captures/001.png"
    seqs = [s for e in events if e["event"] == "committed" for s in e["seqs"]]
    assert seqs == list(range(2, len(seqs) + 2))  # every commit after the opening event, in order, once
    assert events[-1]["event"] == "committed" and events[-1]["phase"] == "completed"


def test_run_script_drives_a_whole_procedure_and_prints_the_record_path(tmp_path: Path) -> None:
    done = sonocart("procedure", "run", "--script", str(EXAMPLE), "--records", str(tmp_path))
    assert done.returncode == 0, done.stderr
    record = Path(done.stdout.strip())
    assert record.parent == tmp_path and (record / "journal.sqlite").exists()
    status = json.loads(sonocart("procedure", "status", str(record)).stdout)
    assert status["phase"] == "completed" and status["banner"]["side"] == "LEFT"
    verify = sonocart("procedure", "verify", str(record))
    assert verify.returncode == 0 and "hash chain intact" in verify.stdout


def test_script_with_an_unknown_input_fails_before_any_record_is_made(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace('type = "finish_injection"', 'type = "finnish_injection"'))
    done = sonocart("procedure", "run", "--script", str(bad), "--records", str(tmp_path / "recs"))
    assert done.returncode == 2
    assert "finnish_injection" in done.stderr and "unknown type" in done.stderr
    assert not (tmp_path / "recs").exists()


def test_rejected_script_input_names_the_entry_and_leaves_a_resumable_record(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        EXAMPLE.read_text().replace('step = "weight_kg"\nvalue = 72', 'step = "weight_kg"\nvalue = 720')
    )
    done = sonocart("procedure", "run", "--script", str(bad), "--records", str(tmp_path / "recs"))
    assert done.returncode == 3
    assert "input #5" in done.stderr and "outside 20" in done.stderr
    (record,) = (tmp_path / "recs").iterdir()
    status = json.loads(sonocart("procedure", "status", str(record)).stdout)
    assert status["step"] == "weight_kg"


def test_export_command_writes_files_and_keeps_them_queued_while_pacs_is_down(tmp_path: Path) -> None:
    record = sonocart("procedure", "run", "--script", str(EXAMPLE), "--records", str(tmp_path)).stdout.strip()
    done = sonocart("export", record, "--deidentify", "--pacs", "127.0.0.1:9", "--operator", "rn_ben")
    assert done.returncode == 5, done.stderr
    assert "still queued 3" in done.stdout and "next run" in done.stderr
    printed = [Path(line) for line in done.stdout.splitlines() if line.startswith("/")]
    assert {p.name for p in printed} == {
        "report.json",
        "report.pdf",
        "us_001.dcm",
        "us_002.dcm",
        "report.dcm",
    }
    assert all(p.exists() for p in printed)
