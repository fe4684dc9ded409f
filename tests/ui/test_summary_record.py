"""The Summary of a whole record at both cart screens (summary_scenario.summary_of_a_record, a part of the
shared screens run): a femoral block driven to its end by the core's inputs, with three stills taken from
the live screen's image, two complications picked and the observation's hard stop overridden with a
reason. Issue 14 must-show 7: "Summary with image thumbnails, drugs/doses, overrides and complications;
readable at 7 inches" (brief SU defect 1: at 10 inches the stills were below the lines, seen only after
a drag).

What the test holds is written here: the words of the record's items (the catalogue's names for the
complications, the override's reason as typed), the screens' px per mm (7.0 and 10.1 inch diagonals) for
the 3 mm caps of the smallest text, and the geometry of "seen": a still is seen when its drawn rect lies
inside the body's window; no still is ever cut by the window's edge, at rest or wherever a drag leaves it.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.ui.screens import ScreensRuns

DIAGONAL_IN = {"800x480": 7.0, "1280x800": 10.1}
REASON = "Patient self-discharged against advice after 12 minutes, observed by RN Ben"


def _inside(r: list[float], window: list[float]) -> bool:
    return (
        r[0] >= window[0] - 1
        and r[1] >= window[1] - 1
        and r[0] + r[2] <= window[0] + window[2] + 1
        and r[1] + r[3] <= window[1] + window[3] + 1
    )


def _apart(r: list[float], window: list[float]) -> bool:
    return r[1] >= window[1] + window[3] - 1 or r[1] + r[3] <= window[1] + 1


def _seen(look: dict[str, Any]) -> list[int]:
    return [i for i, r in enumerate(look["stills"]) if _inside(r, look["window"])]


@pytest.mark.ui
@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_the_summary_shows_its_stills_doses_override_and_complications_whole_and_readable(
    screens: ScreensRuns, size: str
) -> None:
    r = screens(size).part("summary")["record"]
    lines = r["text"].split("\n")
    assert any(line.startswith("drugs: Lidocaine ") and line.endswith(" mg") for line in lines), lines
    assert any(line.startswith("1 aliquot, 4 mL given · dose ") for line in lines), lines
    override = [line for line in lines if line.startswith("[!] override by RN Ben at ")]
    assert len(override) == 1 and override[0].endswith(f": {REASON}"), lines
    assert "complications: vasovagal reaction, suspected intravascular injection" in lines
    assert "3 images captured · 3 outcomes recorded · no notes" in lines
    w, h = (int(v) for v in size.split("x"))
    px_mm = math.hypot(w, h) / (DIAGONAL_IN[size] * 25.4)
    rest = r["at_rest"]
    assert rest["scroll_y"] >= 0.999
    assert all(px * 0.7 >= 3 * px_mm - 0.5 for px in rest["font_px"]), (rest["font_px"], px_mm)
    assert len(rest["stills"]) == 3
    for look in [rest, *r["scrolled"]]:  # no still cut by the window's edge, wherever the window is
        where = look["scroll_y"]
        assert look["cut"] == [], (where, look["cut"])
        for still in look["stills"]:
            assert _inside(still, look["window"]) or _apart(still, look["window"]), (where, still)
        bad = [t for t in look["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
        assert not bad, (where, bad)
    if size == "1280x800":
        # seen at rest, without a drag: the first two stills beside the record's first lines
        assert _seen(rest) == [0, 1], (rest["stills"], rest["window"])
        first = rest["lines"][0]
        assert _inside(first, rest["window"]) and rest["stills"][0][0] > first[0] + first[2], rest
    # every still is seen whole somewhere a drag leaves the window
    assert set().union(*(_seen(look) for look in [rest, *r["scrolled"]])) == {0, 1, 2}
