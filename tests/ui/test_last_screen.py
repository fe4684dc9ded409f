"""The LAST button and screen on the real app under Xvfb (last_scenario.py): at 800x480 as a part of the
shared screens run, at 1280x800 in a run of its own (the shared run at that size has no LAST part).

What the team sees of the steps is measured from the widget tree as a ruler on the glass would
(last_scenario.steps_reach: each step's text and Done button against the part of the window they are
drawn in). On main at 1b25f53, at 800x480 with the reason "Patient recovered, handed to the ICU team"
typed (3 lines in the title row), the window showed 1 whole step and the second's text without its Done
button; after drags, 0 whole steps and steps shown in part."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.forms_checks import assert_fields_labelled
from tests.ui.screens import ScreensRuns

#: The LAST prompt's place at 7 inches, unacknowledged and acknowledged (docs/ui.md).
PLACES = ("nav wide", "nav")
#: The catalogue's LAST steps, in order (written out here, not read from the catalogue).
STEPS = (
    "stop_injecting",
    "call_for_help",
    "airway",
    "seizures",
    "lipid_bolus",
    "lipid_infusion",
    "cardiac_arrest_modified_acls",
    "monitor",
)
#: The least number of whole steps the steps' window shows at its top (as LAST opens), whatever the
#: reason typed, and wherever a drag lets it rest (but at the list's end, where the reason and End LAST
#: take its room): brief LA goal 1.
LEAST_WHOLE = {"800x480": 2, "1280x800": 4}
#: The timers that run once the lipid bolus and infusion are given.
TIMERS = ["lipid_bolus", "lipid_repeat_bolus_check", "lipid_infusion"]
#: The reasons typed in the reach part, and how many lines at least the longest takes in its field.
REASONS = 5
LONGEST_LINES = {"800x480": 5, "1280x800": 3}


def assert_steps_reached(r: dict[str, Any], size: str) -> None:
    """Every look at the steps (each reason typed; at the list's top and after each drag, at rest; with
    the lipid timers running): no step shown in part or without its whole Done button, End LAST never
    on the glass without its whole reason, the plan and the timers whole; enough whole steps."""
    looks = r["reach"]
    assert len({look["reason"] for look in looks}) == REASONS, [look["reason"] for look in looks]
    assert max(look["reason_lines"] for look in looks) >= LONGEST_LINES[size], looks
    for look in [*looks, r["timers_reach"]]:
        where = (size, look["reason"], look["drag"], look["scroll_y"])
        assert look["defects"] == [], (where, look["defects"], look["steps"])
        assert [s["step"] for s in look["steps"]] == list(STEPS), where
    for reason in {look["reason"] for look in looks}:
        along = [look for look in looks if look["reason"] == reason]
        assert along[0]["scroll_y"] >= 0.99 and along[-1]["scroll_y"] <= 0.01, (size, reason, along)
        # at its top, the first steps whole, in order
        top = along[0]["whole_steps"]
        assert top == list(STEPS[: len(top)]) and len(top) >= LEAST_WHOLE[size], (size, reason, top)
        for look in along:  # wherever it rests, the reason's row aside
            if not look["end_shown"]:
                assert len(look["whole_steps"]) >= LEAST_WHOLE[size], (size, reason, look)
        assert along[-1]["end_shown"], (size, reason, along[-1])  # at its end, the reason and End LAST
    assert r["timers_running"] == TIMERS, r["timers_running"]


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
    journal = [(t, op, p.get("step")) for t, op, p in r["journal"] if t in ("last_started", "last_action")]
    assert journal == [
        ("last_started", "dr_ana", None),
        ("last_action", "dr_ana", "stop_injecting"),
        ("last_action", "dr_ana", "lipid_bolus"),
        ("last_action", "dr_ana", "lipid_infusion"),
    ], journal
    assert_steps_reached(r, "800x480")
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


@pytest.fixture(scope="module")
def last_alone(screens: ScreensRuns) -> Iterator[ScreensRuns]:
    """Runs of the screens scenario with its LAST part alone (as make screenshots runs it), per size."""
    env = dict(screens.env, SONOCART_SCREENS_PARTS="last")
    artifacts = ARTIFACTS / "ui" / "last-alone"
    artifacts.mkdir(parents=True, exist_ok=True)
    yield ScreensRuns(env, screens.tmp / "last-alone", artifacts)


@pytest.mark.ui
@pytest.mark.timeout(360)
def test_at_10_inches_every_last_step_shown_has_its_done_button_and_end_last_its_whole_reason(
    last_alone: ScreensRuns,
) -> None:
    r = last_alone("1280x800").part("last")
    assert r["title"] == "[!] LAST MODE ACTIVE" and r["reason_hidden"] == [], r["reason_hidden"]
    assert_steps_reached(r, "1280x800")
