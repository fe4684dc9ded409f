"""A step held by a hard stop raised at an earlier step says why on its step panel, at both cart screens
(held_scenario.py): on the sign-in checklist and in the live screen's column, the core's own line
(``CartSession.held_by``), whole, on screen, black on the hard stop's red (not the step's white text),
never over the image, in human words; the step's touch targets do not move when it appears; it goes
when the hold is released."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.driver import run_scenario_file
from tests.ui.layout import nav_moved
from tests.ui.test_procedure_e2e import MACHINE_TEXT

SCENARIO = Path(__file__).with_name("held_scenario.py")
STEP = "StepPanel"
SIZES = ("1280x800", "800x480")
#: The core's line, written out from the catalogue (phases.toml consent_valid; alarms.toml:
#: consent_not_valid needs a second person), as tests/cart/test_held_by.py has it.
CONSENT_HELD = (
    "Held: Consent is signed, in date and covers this procedure. - answered no"
    " (override needs a second person) — override it or correct the earlier answer"
)
#: alarms.toml: hard_stop:consent_not_valid is LOW (administrative: awareness); IEC 60601-1-8 low is cyan
ALARM_CYAN = [0.00, 0.80, 0.90, 1.0]
HELD = ("sign_in_held", "sign_in_confirmed", "allergies_held", "live_held", "live_confirmed")
MOMENTS = ("sign_in_before", "sign_in_held_toast", *HELD[:2], "sign_in_released", "allergies_before")
MOMENTS += (*HELD[2:3], "live_before", "live_held_toast", *HELD[3:])
#: where the line is: under the step's body (foot), first in it (body: a step with no room under it;
#: whole, read by scrolling), or across the image (the 7-inch column). With the stop's prompt in the nav
#: bar's whole band the 7-inch keypad step has the room under its body too
PLACES = {
    "1280x800": {"sign_in_held": "foot", "allergies_held": "foot", "live_held": "foot"},
    "800x480": {"sign_in_held": "foot", "allergies_held": "foot", "live_held": "across"},
}

#: where the consent stop's prompt is drawn on each held moment: the nav bar's band (it fits whole there,
#: nothing moves; at 7 inches the whole band right of LAST while unacknowledged) or the window's bar above
#: the checklist / the live screen's own (too long for the band)
PROMPT_PLACES = {
    "1280x800": {"sign_in_held": "nav", "allergies_held": "nav", "live_held": "nav"},
    "800x480": {"sign_in_held": "nav", "allergies_held": "nav", "live_held": "nav"},
}
#: the held allergies step shows its held line and its first row of answers whole, without scrolling
FIRST_ROW_WITH_HELD = {"1280x800": True, "800x480": False}


#: A part's mark at the end of a text cut in parts (viewmodels/paged.py): a no-break space, "(k/n)"
MARK = re.compile(r"\u00a0\((\d+)/(\d+)\)$")


def _inside(r: list[float], outer: list[float]) -> bool:
    return (
        r[0] >= outer[0] - 1
        and r[1] >= outer[1] - 1
        and r[0] + r[2] <= outer[0] + outer[2] + 1
        and (r[1] + r[3] <= outer[1] + outer[3] + 1)
    )


def _overlap(a: list[float], b: list[float]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, dx) * max(0.0, dy)


@pytest.mark.ui
@pytest.mark.parametrize("size", SIZES)
def test_a_held_step_says_why_on_its_panel_whole_and_nothing_moves(
    ui_env: dict[str, str], tmp_path: Path, size: str
) -> None:
    artifacts = ARTIFACTS / "ui" / f"held-{size}"
    r = run_scenario_file(SCENARIO, ui_env, tmp_path, artifacts, "--size", size)
    # every layout converged before its frame: Kivy never warned "too much iteration" (tests/ui/clock_log.py)
    assert r["clock_too_much_iteration"] == [], r["clock_too_much_iteration"]
    keep = ("held_place", "held", "under_it", "panel", "toast", "buttons")
    measured = {m: {k: r[m][k] for k in keep} for m in MOMENTS}
    (artifacts / "held.json").write_text(json.dumps(measured, indent=1))
    w, h = (int(v) for v in size.split("x"))
    window = [0.0, 0.0, float(w), float(h)]
    assert (r["sign_in_held"]["screen"], r["live_held"]["screen"]) == ("sign_in", "live")
    assert (r["sign_in_confirmed"]["step"], r["live_confirmed"]["step"]) == ("weight_kg", "prep_done")

    for m in HELD:
        seen: dict[str, Any] = r[m]
        held = seen["held"]
        assert seen["held_by"] == CONSENT_HELD, m
        assert held["text"] == CONSENT_HELD, (m, held["text"])
        # whole: its rendering fits its widget, not shortened, no word broken; on screen, shown
        tw, th = held["texture_size"]
        assert tw <= held["size"][0] + 1 and th <= held["size"][1] + 1, (m, held)
        assert not held["shortened"] and held["broken_word"] == "", (m, held)
        assert held["opacity"] == 1 and held["size"][1] > 0, (m, held)
        if seen["held_place"] != "body":  # on screen whole (in the body: whole in it, read by scrolling)
            assert _inside(held["rect"], window) and held["drawn"] == held["rect"], (m, held)
        assert seen["under_it"] == [], (m, seen["under_it"])  # no other text drawn where it is
        # the stop's alarm colour (its prompt's, LOW): black on cyan, where the step's text is white on dark
        assert seen["prompt_priority"] == "LOW", m
        assert held["fill"] == pytest.approx(ALARM_CYAN), (m, held["fill"])
        assert held["colour"] == [0, 0, 0, 1] and held["colour"] != seen["step_text_colour"], m
        # the text audit: every text on screen whole, in human words (no machine text)
        cut = [t["text"] for t in seen["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
        assert cut == [], (m, cut)
        assert [t["text"] for t in seen["texts"] if MACHINE_TEXT.search(t["text"])] == [], m
        assert CONSENT_HELD in [t["text"] for t in seen["texts"]], m
    # on the checklist screens, at rest no line of any text is cut by its scroll view's edge ("Patient
    # weight (kg), for the" with half a line under it); the live column's pages: test_column_whole
    for m in (m for m in MOMENTS if r[m]["screen"] != "live"):
        texts = r[m]["texts"]  # (the step's panel: the start screen may still be fading out at sign-in)
        halves = [(t["text"], t["cut_line"]) for t in texts if t["cut_line"] and t["scroll_owner"] == STEP]
        assert halves == [], (size, m, halves)

    for m in ("live_held", "live_confirmed"):
        lay = r[m]["live"]
        image, (hx, hy, hw, _hh) = lay["image_rect"], r[m]["held"]["rect"]
        assert _overlap(r[m]["held"]["rect"], image) == 0, (m, r[m]["held"]["rect"], image)
        if r[m]["held_place"] == "foot":  # in the column beside the image
            assert hx >= image[0] + image[2] - 0.5, m
        else:  # across the image's width, above it: the image gives way by that band alone
            assert hy >= image[1] + image[3] - 0.5 and hx <= image[0] + 0.5, m
            assert hx + hw >= image[0] + image[2] - 0.5, m
        assert lay["text_over_image"] == [] and lay["text_overlaps"] == [], (m, lay["text_overlaps"])
    assert {m: r[m]["held_place"] for m in PLACES[size]} == PLACES[size]
    # the allergies step (a grid and its closing button, no keypad): the line whole on screen without
    # scrolling at both sizes (fixed above the closing button; at 7 inches the bands above gave it the room)
    allergies = r["allergies_held"]["held"]
    assert _inside(allergies["rect"], window) and allergies["drawn"] == allergies["rect"], allergies
    assert r["sign_in_confirmed"]["held_place"] == r["sign_in_held"]["held_place"]

    # nothing moves under a finger when it appears (the closing button, the keypad; on the live screen
    # every button of the column): an oracle from the geometry recorded before the stop. With the stop's
    # prompt in the nav bar's band the step's answers do not move either; only a prompt too long for that
    # band goes in the window's bar above the screen, and the checklist's body moves down by that bar.
    for before, after in (
        ("sign_in_before", "sign_in_held"),
        ("allergies_before", "allergies_held"),
        ("live_before", "live_held"),
    ):
        b, a = r[before]["buttons"], r[after]["buttons"]
        # the checklist's body moves down only when the prompt bar above the screen opens (a prompt too
        # long for the nav bar); a toast never grows the status band (longer ones show in pages of two lines)
        above_grew = r[after]["panel"][0] < r[before]["panel"][0] - 0.5
        assert not (above_grew and r[after]["prompt_place"] == "nav"), (before, r[after]["panel"])
        if not before.startswith("live") and r[after]["prompt_place"] != "nav":
            b, a = ({k: v for k, v in x.items() if not k.startswith("grid:")} for x in (b, a))
        assert b and b.keys() == a.keys(), (before, b.keys(), a.keys())
        moved = {k: (b[k], a[k]) for k in b if any(abs(x - y) > 0.5 for x, y in zip(b[k], a[k], strict=True))}
        assert moved == {}, (before, moved)
        # LAST never moves (at the left edge); Steps, Scan/Image and Alarms give way only to an
        # unacknowledged prompt in the whole band, else stay put; nothing is drawn over LAST
        assert nav_moved(r[after]["nav"], r[before]["nav"]) == [], (before, r[after]["nav"]["fixed"])
        assert r[after]["nav"]["over_last"] == [] and r[after]["nav"]["last_enabled"], after
    assert {m: r[m]["prompt_place"] for m in PROMPT_PLACES[size]} == PROMPT_PLACES[size]
    # the allergies step held: its first row of answers whole in the body's window (not scrolled to)
    window_of_body = r["allergies_held"]["body_window"]
    first_row = [v for k, v in r["allergies_held"]["buttons"].items() if k.startswith("grid:")]
    top_row = max(v[1] for v in first_row)
    row_whole = all(_inside(v, window_of_body) for v in first_row if v[1] == top_row)
    assert row_whole == FIRST_ROW_WITH_HELD[size], (window_of_body, first_row)

    # not held: no line, no room taken
    for m in ("sign_in_before", "sign_in_released", "allergies_before", "live_before"):
        assert r[m]["held_by"] == "" and r[m]["held_place"] == "", m

    # the core's feedback on the held step in the live column: whole when it fits the
    # body, else in the fewest parts that each fit it with their mark (the scenario cuts it itself, with
    # Kivy's text layout: from each part's first word as many words as fit), never fewer than its lines
    # divided by the lines the body holds (until r12 the toast repeated the 12-line held line: 5 parts)
    col = r["live_held_toast"]["column"]
    # the message points to the held line once (holds.STILL_HELD), never repeats it under the line itself
    assert col["toast"] == "input — the step is still held: the Held line says why", col["toast"]
    marks = [m for t in col["drawn"] for m in [MARK.search(t)] if m and t[: m.start()] in col["toast"]]
    if col["lines"] <= col["holds"]:
        assert marks == [] and col["toast"] in col["drawn"], (size, col)
    else:
        assert len(marks) == 1 and marks[0].group(1) == "1", (size, col["drawn"])  # page 1: its first part
        parts = int(marks[0].group(2))
        assert -(-col["lines"] // col["holds"]) <= parts <= col["fewest"], (size, parts, col)
