"""An unsafe state is never shown like the safe one: its own word and its own flag (colour), by touch, in the
view-model and in the real Kivy window (unsafe_scenario.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ARTIFACTS
from tests.ui.driver import run_scenario_file
from tests.ui.test_medications_form import _walk_to
from tests.ui.vm_fixtures import started


def test_an_antithrombotic_not_held_reads_not_held_and_is_flagged_unlike_held(tmp_path: Path) -> None:
    _session, form = started(tmp_path)
    _walk_to(form, "antithrombotics")

    def button(key: str) -> tuple[str, bool, bool]:
        a = next(a for a in form.view().actions if a.key == key)
        return a.label, a.selected, a.unsafe

    assert button("drug:warfarin") == ("Warfarin", False, False)  # not taking
    assert form.press("drug:warfarin")
    assert button("drug:warfarin") == ("Warfarin: held", True, False)  # taking and held: safe
    assert form.press("drug:warfarin")
    label, selected, unsafe = button("drug:warfarin")
    # the word says it (upper case, not a suffix that reads like "held") and the flag differs from held
    assert (label, selected, unsafe) == ("Warfarin: NOT HELD", True, True)
    assert form.press("drug:warfarin")
    assert button("drug:warfarin") == ("Warfarin", False, False)  # back to not taking


SCENARIO = Path(__file__).with_name("unsafe_scenario.py")


def _background_rgb(shot: Path, rect: list[float]) -> tuple[int, int, int]:
    """The commonest colour inside a button's rectangle in the screenshot (its fill: text is a minority)."""
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"))
    x, y, w, h = (round(v) for v in rect)
    top = pixels.shape[0] - (y + h)  # window y counts from the bottom, image rows from the top
    part = pixels[max(0, top) + 4 : top + h - 4, x + 4 : x + w - 4].reshape(-1, 3)
    colours, counts = np.unique(part, axis=0, return_counts=True)
    r, g, b = (int(v) for v in colours[counts.argmax()])
    return r, g, b


@pytest.mark.ui
def test_not_held_in_the_real_window_is_yellow_and_says_not_held_next_to_a_green_held(
    ui_env: dict[str, str], tmp_path: Path
) -> None:
    r = run_scenario_file(SCENARIO, ui_env, tmp_path, ARTIFACTS / "ui" / "unsafe-800x480")
    held, not_held = r["held"], r["not_held"]
    # room: the first full row of drug buttons shows whole inside the step's scroll view, unscrolled
    room = r["room"]
    vx, vy, vw, vh = room["viewport"]
    assert room["scroll_y"] == 1 and room["first_row"], room
    for x, y, w, h in room["first_row"]:
        assert x >= vx - 0.5 and x + w <= vx + vw + 0.5 and y >= vy - 0.5 and y + h <= vy + vh + 0.5, room
    # the words: a marker and an upper-case NOT, never a suffix that reads like "held"
    assert held["text"] == "[X] Warfarin: held"
    assert not_held["text"] == "[!] Warfarin: NOT HELD"
    # the widget's own colours: IEC 60601-1-8 medium-priority yellow with black text, against green
    assert not_held["background"] == pytest.approx([1.0, 0.8, 0.0, 1.0])
    assert not_held["text_colour"] == pytest.approx([0, 0, 0, 1])
    assert held["background"] != not_held["background"]
    # ... and what the window drew, read back from the screenshots' pixels (not from the theme)
    r_, g, b = _background_rgb(Path(not_held["screenshot"]), not_held["rect"])
    assert r_ >= 230 and 180 <= g <= 225 and b <= 40, (r_, g, b)  # yellow
    r_, g, b = _background_rgb(Path(held["screenshot"]), held["rect"])
    assert g >= 140 and r_ <= 60 and b <= 90, (r_, g, b)  # green
    r_, g, b = _background_rgb(Path(r["not_taking"]["screenshot"]), r["not_taking"]["rect"])
    assert max(r_, g, b) <= 100 and not (g >= 140 or r_ >= 230), (r_, g, b)  # neither: a plain button
