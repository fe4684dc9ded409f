"""Logs: journald's format under systemd, no patient identifiers in a whole procedure, no Kivy probes.

The identifiers are taken from the script the run uses and searched for in every spelling a log could
carry (each name part, the MRN, the date of birth raw and ISO); the record's own journal is the control
that the run really was about that patient. The UI's whole procedure is grepped the same way in
tests/ui/test_procedure_e2e.py (``no_patient_identifiers``).
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sonocart.logs import setup_logging

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "host/sonocart/procedures/examples/femoral_block.toml"


def identifiers(patient: dict[str, str]) -> list[str]:
    """Every spelling of the patient's name, MRN and date of birth a log line could hold."""
    parts = [p for p in re.split(r"[\^ ,]+", patient["name"]) if len(p) > 1]
    dob = patient["birth_date"]
    return [*parts, patient["id"], dob, f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"]


def no_patient_identifiers(text: str, patient: dict[str, str]) -> list[str]:
    """The identifiers found in ``text`` (empty: none)."""
    return [i for i in identifiers(patient) if re.search(re.escape(i), text, flags=re.I)]


def test_a_whole_scripted_procedure_logs_no_patient_identifier(tmp_path: Path) -> None:
    patient = tomllib.loads(SCRIPT.read_text())["patient"]
    env = dict(os.environ, JOURNAL_STREAM="8:12345", SONOCART_LOG_LEVEL="DEBUG")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sonocart",
            "procedure",
            "run",
            "--script",
            str(SCRIPT),
            "--records",
            str(tmp_path),
            "--events",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"event": "record_opened"' in proc.stdout  # the whole event stream is in what was searched
    assert no_patient_identifiers(proc.stdout + proc.stderr, patient) == []
    journal = next(tmp_path.glob("*/journal.sqlite")).read_bytes()
    assert patient["id"].encode() in journal  # control: the record is this patient's


def test_under_systemd_each_line_carries_its_priority_and_a_traceback_stays_one_entry() -> None:
    out = io.StringIO()
    handler = setup_logging(logging.DEBUG, out, env={"JOURNAL_STREAM": "8:1"})
    try:
        logging.getLogger("sonocart.test").warning("pedal link lost on %s", "/dev/sonocart-pedal")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("sonocart.test").exception("listener failed")
        logging.getLogger("sonocart.test").debug("tick")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert lines[0] == "<4>sonocart.test: pedal link lost on /dev/sonocart-pedal"
    assert lines[1] == "<3>sonocart.test: listener failed"
    entries = [ln for ln in lines if not ln.startswith(" ")]
    assert [e[:3] for e in entries] == ["<4>", "<3>", "<7>"]  # traceback lines are continuations


@pytest.mark.ui
def test_kivy_starts_without_probing_for_a_clipboard_or_cut_buffer(tmp_path: Path) -> None:
    code = (
        "from sonocart_ui.kivy_setup import configure_kivy\n"
        "configure_kivy(320, 240)\n"
        "from kivy.core.window import Window\n"
        "from kivy.uix.textinput import TextInput\n"
        "t = TextInput(text='copy me'); t.select_all(); t.copy()\n"
        "from kivy.core.clipboard import Clipboard\n"
        "print('pasted', Clipboard.paste())\n"
    )
    env = dict(os.environ, KIVY_HOME=str(tmp_path), JOURNAL_STREAM="8:1", PATH="/usr/bin:/bin")
    env.pop("DISPLAY", None)
    proc = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "pasted copy me" in out  # the dummy clipboard works inside the app
    assert "<6>kivy: Window: Provider: sdl2" in out  # Kivy's own lines reach the journal format
    for noise in ("Cutbuffer", "xclip -", "xsel -", "<2>", "Traceback"):
        assert noise not in out, noise
