"""The real app SIGKILLed mid-procedure under Xvfb; a fresh app on the same records offers the open
record and resumes it at the same phase and step (resume_scenario.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCENARIO = Path(__file__).with_name("resume_scenario.py")


@pytest.mark.ui
def test_an_app_killed_mid_procedure_offers_the_open_record_and_resumes_it_at_the_same_step(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    records, link = tmp_path / "records", tmp_path / "probe"
    crash_report, resume_report = tmp_path / "crash.json", tmp_path / "resume.json"
    base = [sys.executable, str(SCENARIO), "--records", str(records), "--link", str(link)]
    app = subprocess.Popen(
        [*base, "--phase", "crash", "--report", str(crash_report)],
        env=ui_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (crash_report.exists() and json.loads(crash_report.read_text()).get("ready")):
            assert app.poll() is None, app.stderr.read() if app.stderr else ""
            assert time.monotonic() < deadline, "the app did not reach the weight step"
            time.sleep(0.2)
    finally:
        app.send_signal(signal.SIGKILL)  # no clean-up of any kind: a crash or a power cut
        app.wait(10)
    assert app.returncode == -signal.SIGKILL
    before = json.loads(crash_report.read_text())["before_crash"]
    assert before["step"] == "weight_kg" and before["side"] == "LEFT"

    proc = subprocess.run(
        [*base, "--phase", "resume", "--report", str(resume_report)],
        env=ui_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    r = json.loads(resume_report.read_text())
    assert "error" not in r and r.get("completed"), (r.get("error"), r.get("traceback"), proc.stderr[-2000:])
    assert len(r["offers"]) == 1 and r["offers"][0].startswith("Resume femoral nerve block, opened ")
    assert r["offer_shortened"] == [False]
    assert r["without_operator"] == {"screen": "start", "error": "choose the operator first, then resume"}
    after = r["after_resume"]
    assert after == before, (before, after)  # same screen, phase, step, side and answers
    assert r["operator"] == "rn_ben"
