"""The LAST button and screen on the real app under Xvfb at 800x480 (last_scenario.py, a part of the
shared screens run)."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.forms_checks import assert_fields_labelled
from tests.ui.screens import ScreensRuns

#: The LAST prompt's place at 7 inches, unacknowledged and acknowledged (docs/ui.md).
PLACES = ("nav wide", "nav")


@pytest.mark.ui
@pytest.mark.timeout(360)
def test_last_button_opens_the_last_screen_from_the_live_screen_and_a_done_touch_is_journaled(
    screens: ScreensRuns,
) -> None:
    artifacts = ARTIFACTS / "ui" / "last-800x480"
    r = screens("800x480").part("last")
    # The LAST button is labelled in text and fits on the smallest screen with every other nav button.
    nav = r["nav"]
    assert nav["nav_last"]["text"] == "LAST"
    ordered = sorted(nav.values(), key=lambda b: b["x"])
    assert all(a["right"] <= b["x"] for a, b in itertools.pairwise(ordered))
    assert ordered[0]["x"] >= 0 and ordered[-1]["right"] <= r["window_width"]
    # LAST first, at the window's left edge (docs/ui.md: the prompt's room is right of it)
    assert ordered[0]["text"] == "LAST" and ordered[0]["x"] <= 0.5, ordered[0]
    # From the live screen to LAST; one touch asks to confirm, the second starts it (HIGH prompt on the bar).
    # Locked on the live screen, the LAST button still opens LAST; starting it lifts the lock (no PIN).
    assert (r["before"], r["locked"], r["after_nav"]) == ("live", "lock", "last")
    assert r["start_label_after_one_touch"] == "CONFIRM: start LAST" and not r["active_after_one_touch"]
    assert r["title"] == "[!] LAST MODE ACTIVE"
    assert r["prompt"].startswith("!!! HIGH: LAST EMERGENCY") and r["locked_after_start"] is False
    assert "bolus 90 mL over 2-3 min" in r["plan"] and "infusion 15 mL/min" in r["plan"]
    # The Done touch is answered on screen and journaled with the operator.
    assert r["toast"] == "LAST: Stop injecting local anaesthetic"
    assert r["done_label"] == "[X] done · Dr Ana"
    assert_fields_labelled(r["forms"]["fields"], math.hypot(800, 480) / (7.0 * 25.4))
    # The reason typed is shown whole, over as many lines as it takes, never only its end (issue 14)
    assert r["reason_hidden"] == [], r["reason_hidden"]
    # The steps' scroll bar is drawn beside the Done buttons, not over them; after a finger's drag, once
    # the scroll has stopped, no Done button or line of text is cut by the steps' window
    assert r["under_bar"] == [] and r["after_drag"]["under_bar"] == [], (r["under_bar"], r["after_drag"])
    assert r["steps_scrollable"] and r["after_drag"]["scroll_y"] < 0.99, r["after_drag"]  # it did scroll
    assert r["after_drag"]["rows_cut"] == [] and r["after_drag"]["lines_cut"] == [], r["after_drag"]
    journal = [(t, op) for t, op, _ in r["journal"] if t in ("last_started", "last_action")]
    assert journal == [("last_started", "dr_ana"), ("last_action", "dr_ana")]
    # Acknowledged after reading: still shown (marked), nothing more to acknowledge, light HIGH, no lock.
    assert r["prompt_after_ack"].startswith("!!! HIGH: LAST EMERGENCY")
    assert r["prompt_after_ack"].endswith("(acknowledged)") and r["can_ack_after_ack"] is False
    assert r["light_after_ack"] == "alarm_high" and r["screen_after_lock_touch"] == "last"
    # Where its prompt is at 7 inches, before and after the acknowledgement: whole, LAST uncovered and
    # enabled, and the LAST screen's widgets where they were (the oracle: the look before the tap).
    before, after = r["look_unacked"], r["look_acked"]
    (artifacts / "prompt-places.json").write_text(
        json.dumps(
            {
                k: {"place": v["place"], "shown": v["shown"]}
                for k, v in (("unacked", before), ("acked", after))
            }
        )
    )
    assert before["prompt_text"].startswith("LAST EMERGENCY") and before["prompt_text"] in before["shown"]
    # acknowledged: its short form beside Alarms (the catalogue's words, written out here)
    assert after["shown"] == "!!! HIGH: LAST emergency: follow LAST screen (acknowledged)", after["shown"]
    for look in (before, after):
        assert look["cut"] == [], look["cut"]
        assert look["nav"]["over_last"] == [] and look["nav"]["last_enabled"], look["nav"]
        assert look["nav"]["fixed"]["nav_last"][0] <= 0.5, look["nav"]["fixed"]
    assert (before["place"], after["place"]) == PLACES, (before["place"], after["place"])
    assert after["screen"] == before["screen"], "the LAST screen moved when its prompt was acknowledged"
    assert ("prompt_acknowledged", "dr_ana") in [(t, op) for t, op, _ in r["journal"]]
    action = next(p for t, _, p in r["journal"] if t == "last_action")
    assert action["step"] == "stop_injecting"
    assert (artifacts / "last-800x480.png").stat().st_size > 10_000
