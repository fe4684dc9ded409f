"""A hard stop (no tap acknowledges it) fills the nav bar's band: every screen the team needs is still
reachable from the Alarms list its tap opens, LAST never moves, and the core still refuses the lock
during LAST (reach_scenario.py, a part of the shared screens run, at both cart screens)."""

from __future__ import annotations

import pytest

from tests.ui.layout import nav_moved
from tests.ui.screens import ScreensRuns

TOOLS = ["pedal_a", "pedal_b", "nav_settings", "nav_lock"]  # the simulated board's pedals: on screen too
STOP_WORDS = "Consent is signed, in date and covers this procedure."


@pytest.mark.ui
@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_under_a_hard_stop_every_screen_is_reached_from_the_alarms_list_and_lock_waits_for_last(
    screens: ScreensRuns, size: str
) -> None:
    r = screens(size).part("reach")
    looks = r["looks"]
    start = looks["start"]["nav"]
    # the stop: blocking, alone in the band right of LAST (its whole text), the tools given way
    stop = looks["stop"]
    assert stop["top"]["blocking"] and not stop["top"]["acked"], stop["top"]
    assert stop["nav"]["prompt_wide"] and stop["nav"]["tools"] == [], stop["nav"]
    assert STOP_WORDS in stop["nav"]["prompt"][0], stop["nav"]["prompt"]
    for name in ("list", "settings", "live", "back", "last", "last list", "last lock"):
        seen = looks[name]
        assert nav_moved(seen["nav"], start) == [], (name, seen["nav"]["fixed"])
        assert seen["nav"]["over_last"] == [] and seen["nav"]["last_enabled"], name
        assert seen["cut"] == [], (name, seen["cut"])
    # the Alarms list: the stop whole with its Override; Steps, Image, Alarms and the tools back, enabled
    for name in ("list", "last list"):
        seen = looks[name]
        assert seen["screen"] == "alarms", name
        assert not seen["nav"]["prompt_wide"] and seen["nav"]["prompt"] is None, (name, seen["nav"])
        assert seen["nav"]["tools"] == TOOLS and all(seen["enabled"].values()), (name, seen)
        assert not seen["prompt_bar"], name  # nor in the bar above the screen: the list has it
        assert any(STOP_WORDS in t for t in seen["texts"]) and "Override" in seen["texts"], name
    assert looks["settings"]["screen"] == "settings" and looks["live"]["screen"] == "live"
    assert looks["live"]["nav"]["prompt"] == stop["nav"]["prompt"]  # the stop in the band again
    # back at the step: the stop takes its band again, as it was
    assert looks["back"]["screen"] == "sign_in" and looks["back"]["nav"]["prompt"] == stop["nav"]["prompt"]
    # LAST: active, not locked, and Lock touched from the list is refused by the core
    assert looks["last"]["screen"] == "last" and looks["last"]["top"]["id"] != stop["top"]["id"]
    lock = looks["last lock"]
    assert lock["screen"] == "alarms" and not lock["locked"], lock
    assert lock["toast"].startswith("[!] the screen does not lock"), lock["toast"]
