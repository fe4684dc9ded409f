"""A whole procedure on the real app under Xvfb, driven by touches and by pedal presses on the simulated
board running the real firmware; asserts what a person would see at each step (procedure_scenario.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS
from tests.test_logs import no_patient_identifiers

SCENARIO = Path(__file__).with_name("procedure_scenario.py")


def _seen(report: dict[str, Any], label: str) -> dict[str, Any]:
    hits = [s for s in report["seen"] if s["label"] == label]
    assert hits, f"nothing recorded for {label!r}: {[s['label'] for s in report['seen']]}"
    return dict(hits[0])


@pytest.mark.ui
def test_a_whole_procedure_by_touch_and_pedal_shows_each_step_prompt_and_result(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    artifacts = ARTIFACTS / "ui" / "procedure-1280x800"
    report_path = tmp_path / "report.json"
    args = ["--link", str(tmp_path / "probe"), "--artifacts", str(artifacts), "--report", str(report_path)]
    proc = subprocess.run(
        [sys.executable, str(SCENARIO), *args],
        env=dict(ui_env, JOURNAL_STREAM="8:1"),  # logs as the cart's service writes them to the journal
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert report_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(report_path.read_text())
    assert "error" not in r and r.get("completed"), (r.get("error"), r.get("traceback"))
    # The whole procedure's log (everything the app printed) names no patient (tests/test_logs.py).
    patient = {"name": "Doe Jane", "id": "MRN0012345", "birth_date": "19580412"}  # as the scenario types them
    assert no_patient_identifiers(proc.stdout + proc.stderr, patient) == []
    assert (
        "<6>kivy: Window: Provider: sdl2" in proc.stderr or "<6>kivy: Window: Provider: sdl2" in proc.stdout
    )

    # Start -> sign-in: the procedure and operator are shown; the weight from the start screen is pre-filled.
    started = _seen(r, "started")
    assert started["screen"] == "sign_in" and started["status_operator"] == "op dr_ana"
    assert "Register every immediate team member" in started["step_text"]
    assert _seen(r, "weight_kg ok")["toast"] == "weight kg = 72"
    # Time-out: a syringe drawn from the catalogue's stock but not labelled is refused on screen.
    assert "syringe A must be labelled before the time-out" in _seen(r, "done")["toast"]
    assert "Ropivacaine 0.5 %" in _seen(r, "add")["detail"]
    # Time-out: every team member confirms by name; the confirmed side goes on the banner.
    assert "confirmed: dr_ana, rn_ben" in _seen(r, "timeout_team confirm_as:rn_ben")["detail"]
    live = _seen(r, "live: prep")
    assert live["screen"] == "live" and live["side"].startswith("LEFT")
    # A wrong side at the time-out: HIGH, the banner keeps LEFT; the stop's own override form opens empty
    # and names it; alone or with a wrong second PIN it is refused; the corrected answer clears it.
    assert r["banner_after_wrong_side"].startswith("LEFT")
    assert r["bar_after_wrong_side"].startswith("!!! HIGH: HARD STOP: time-out side right does not match")
    assert r["override_reason_when_opened"] == ""
    assert "time-out side right" in r["override_title"] and "second operator" in r["override_title"]
    assert "needs a second operator's PIN" in r["override_alone_toast"]
    assert "wrong PIN for rn_ben" in r["override_wrong_pin_toast"] and r["side_stop_still_active"]
    # STOP: a mis-tap restated by the same person leaves one answer, journaled as a correction.
    assert r["stop_marks"] == ["stop:dr_ana:left"] and "stop_restated" in r["journal_types"]
    assert live["badge"].startswith("LIVE") and live["status_pedal"].startswith("pedals OK")
    # Sterile phase by pedal: B hold confirms prep, A tap freezes (shown as FROZEN, never as live), A hold
    # captures a still, B hold aspirates, B tap logs an aliquot; each action is confirmed on screen.
    assert "confirmed: Skin prepared" in _seen(r, "pedal B hold -> acknowledge_or_confirm")["toast"]
    assert _seen(r, "pedal A tap -> freeze")["toast"] == "FROZEN (pedal A tap)"
    assert r["frozen_badge"] == "FROZEN - NOT LIVE"
    assert r["caliper_text"] == f"caliper {r['caliper_expected_mm']:.1f} mm"  # where the finger touched
    # The simulated board's pedals also move from the on-screen buttons and the keyboard (A held = A hold).
    assert _seen(r, "screen pedal A -> freeze")["toast"] == "live again (pedal A tap)"
    assert _seen(r, "key a -> capture_still")["toast"] == "still #1 captured (pedal A hold)"
    logged = _seen(r, "pedal B tap -> log_aliquot")
    assert logged["toast"] == "aliquot 4 mL logged (pedal)" and "aliquots 1 · 4 mL" in logged["detail"]
    # The engine's prompt is on the screen with its IEC marker and word, and the board's light follows it.
    raised = _seen(r, "prompt raised")
    assert raised["prompt"].startswith("!! MEDIUM: Aliquot 4 mL recorded as given, no negative aspiration")
    assert r["light_with_prompt"] == "alarm_medium"
    # 8 mL of ropivacaine 0.5 % = 40 mg; 72 kg: max min(3 mg/kg x 72, 300) = 216 mg; 40 / 216 = 19 %.
    assert r["aliquots_visible"].startswith("aliquots 2 · 8 mL · dose 19% of max")
    assert "35.2 mL left to the maximum" in r["aliquots_visible"]  # (216 - 40 mg) / 5 mg/mL
    # Prompts are acknowledged by a person, on the bar; a hard stop is not: it opens the list. An early
    # "observation done" is held by a hard stop that clears by itself when the time is up.
    assert any("LAST watch started" in t for t in r["acknowledged_on_bar"])
    # Administrative stops and timers are LOW in the alarm table (catalogue/alarms.toml).
    assert r["early_observation_prompt"] == "! LOW: HARD STOP: observation time not complete"
    assert r["ack_on_hard_stop_opens"] == "alarms"
    assert r["alarm_rows"][0].startswith("! LOW: HARD STOP: observation time not complete")
    assert r["alarm_rows_when_time_up"][0].startswith("! LOW: Observation time complete")
    assert not any(row.startswith("!!! HIGH") for row in r["alarm_rows_when_time_up"])
    # No blind acknowledgement: each one came at least 1 s after its prompt was raised (shown later still).
    assert r["ack_delays_s"] and min(r["ack_delays_s"]) >= 1.0, r["ack_delays_s"]
    assert r["alarm_rows_after"] == []
    # Summary: complete, exported; the lock needs a PIN and the PIN says who acts next.
    assert "status: complete" in r["summary_text"] and "captures 2" in r["summary_text"]
    assert _seen(r, "exported")["toast"].startswith("exported 5 files")
    assert r["pacs_text"].startswith("PACS: sent 0 / pending 3\n[!] PACS down: 3 stay queued, nothing lost")
    assert r["locked_screen"] == r["locked_after_nav"] == "lock"
    assert r["unlocked_screen"] == "summary" and r["operator_after_unlock"] == "op rn_ben"
    # The journal holds who did what: every team member and the system's timers.
    assert r["journal_operators"] == ["dr_ana", "odp_cy", "rn_ben", "system"]
    for event in (
        "prompt_acknowledged",
        "hard_stop_cleared",
        "capture_added",
        "aliquot_logged",
        "export_written",
        "pacs_queued",
        "pacs_unreachable",
    ):
        assert event in r["journal_types"]
