"""The live screen at the injection with the longest prompts the injection raises, at both cart screens
(prompts_scenario.py): each prompt whole, in one place, never over the image; in the nav bar's band right
of LAST when its whole text fits there (the image keeps its share, nothing moves), else beside the image
(the image keeps its share) when it fits in the column, else across the image (the image gives way by that
band alone); the sterile strip, the step's fixed parts and the nav bar's Steps, Image, Alarms and LAST never
move, and nothing is ever drawn over LAST."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.driver import run_scenario_file
from tests.ui.layout import nav_moved

SCENARIO = Path(__file__).with_name("prompts_scenario.py")
#: size -> (diagonal in inches, least fraction of the screen the image must take)
SCREENS = {"1280x800": (10.1, 0.70), "800x480": (7.0, 0.60)}
MOMENTS = ("none", "one_lapse", "two_lapses", "positive", "positive_acked", "cleared")


@pytest.mark.ui
@pytest.mark.parametrize("size", list(SCREENS))
def test_each_injection_prompt_is_whole_beside_the_image_when_it_fits_else_across_it(
    ui_env: dict[str, str], tmp_path: Path, size: str
) -> None:
    artifacts = ARTIFACTS / "ui" / f"prompts-{size}"
    r = run_scenario_file(SCENARIO, ui_env, tmp_path, artifacts, "--size", size)
    measured = {
        m: {
            "image_fraction": r[m]["image_fraction"],
            "prompt_lines": r[m]["nav"]["prompt_lines"] or r[m]["prompt_lines"],
            "place": _place(r[m]),
            "whole_band": r[m]["nav"]["prompt_wide"],
            "prompt": (r[m]["nav"]["prompt"] or r[m]["prompt_beside"] or r[m]["prompt_band"] or [""])[0],
            "step_body_viewport_content_px": r[m]["step_body"],
            "step_text_detail_px": r[m]["step_text_and_detail"],
        }
        for m in MOMENTS
    }
    (artifacts / "image-fractions.json").write_text(json.dumps(measured, indent=2))
    diagonal_in, least = SCREENS[size]
    w, h = (int(v) for v in size.split("x"))
    px_per_mm = math.hypot(w, h) / (diagonal_in * 25.4)
    # the core's own words as the injection raises them, written out here
    words = {
        "one_lapse": "!! MEDIUM: 4 mL given with no negative aspiration: aspirate and wait before the next.",
        "two_lapses": "!! MEDIUM: 4 mL given with no negative aspiration, inside the pause: aspirate and wait"
        " before the next.",
        "positive": "!!! HIGH: Positive aspiration: do not inject. Reposition the needle and aspirate again.",
        # acknowledged and still up (blood aspirated): its short form, the catalogue's written words
        "positive_acked": "!!! HIGH: Positive aspiration: do not inject (acknowledged)",
    }
    assert measured["none"]["place"] == measured["cleared"]["place"] == "none"
    # every injection prompt, acknowledged or not, in the nav bar's band: the image keeps its whole share
    assert all(measured[m]["place"] == "nav" for m in MOMENTS if m not in ("none", "cleared")), measured
    assert measured["positive_acked"]["prompt"] == words["positive_acked"]
    # the short form's tap opens the Alarms list, and the whole text is there
    tap = r["acked_tap"]
    assert tap["opens_list"] and tap["enabled"] and tap["screen"] == "alarms", tap
    assert any(words["positive"].split(": ", 1)[1] in t for t in tap["texts"]), tap["texts"]
    # every short form in the alarm table fits beside Alarms as shown, at its priority and MEDIUM's
    assert r["short_forms_fit"] and all(r["short_forms_fit"].values()), r["short_forms_fit"]
    # cleared: everything back where it was before the first prompt (the oracle: the geometry before it)
    for k in ("image_rect", "strip_rects", "step_parts", "nav"):
        assert r["cleared"][k] == r["none"][k], (k, r["cleared"][k], r["none"][k])
    for m in MOMENTS:
        lay = r[m]
        ix, iy, iw, ih = lay["image_rect"]
        if m in words:
            assert words[m] in measured[m]["prompt"].replace("\u00a0", " "), (m, measured[m])
        # the act is one phrase on one line as Kivy laid it out, never "Tap / to acknowledge"
        lines = lay["nav"]["prompt_line_texts"] or lay["prompt_line_texts"]
        if m not in ("none", "cleared", "positive_acked"):
            assert any("· Tap to acknowledge" in line for line in lines), (m, lines)
        # whole: no text on screen shortened, larger than its widget or broken mid-word
        cut = [t["text"] for t in lay["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
        assert cut == [], (m, cut)
        assert lay["text_over_image"] == [] and lay["text_overlaps"] == [], m
        stage_w, stage_h = lay["stage"]
        assert lay["texture"] == [int(stage_w) // 4 * 4, int(stage_h)], (m, lay["texture"])  # drawn 1:1
        band, beside, nav = lay["prompt_band"], lay["prompt_beside"], lay["nav"]["prompt"]
        assert [band, beside, nav].count(None) >= 2, m  # in one place
        if nav is not None:
            # in the nav bar's band, right of LAST, as tall as the bar, inside the window, under the image
            nx, ny, nw, nh = nav[1]
            last = lay["nav"]["fixed"]["nav_last"]
            assert nx >= last[0] + last[2] and nx + nw <= w + 0.5 and ny >= -0.5, (m, nav, last)
            assert nh == pytest.approx(last[3]) and ny + nh <= iy + 0.5, (m, nav, lay["image_rect"])
            assert lay["nav"]["tools"] == [], (m, lay["nav"]["tools"])  # the tools gave way to it
            # unacknowledged: the whole band right of LAST (Steps, Image, Alarms give way too); once
            # acknowledged, the room right of Alarms, navigation back
            assert lay["nav"]["prompt_wide"] == (m != "positive_acked"), (m, lay["nav"])
            if lay["nav"]["prompt_wide"]:
                assert list(lay["nav"]["fixed"]) == ["nav_last"], (m, lay["nav"]["fixed"])
        elif m not in ("none", "cleared"):
            assert lay["nav"]["tools"], m  # Settings and Lock stay while the prompt is elsewhere
        if m in ("none", "cleared", "positive_acked"):  # navigation there, in its place
            assert set(lay["nav"]["fixed"]) == {"nav_last", "nav_procedure", "nav_scan", "nav_alarms"}, m
        # LAST at the left edge never moves, never covered; what gives way comes back in its place
        assert nav_moved(lay["nav"], r["none"]["nav"]) == [], (m, lay["nav"]["fixed"])
        assert lay["nav"]["over_last"] == [] and lay["nav"]["last_enabled"], (m, lay["nav"]["over_last"])
        if beside is not None:
            px, py, _pw, ph = beside[1]
            assert px >= ix + iw and py >= 0 and py + ph <= h, (m, beside)
            assert ph >= 12 * px_per_mm - 0.5, (m, beside)  # a gloved finger's button
        if band is None:
            assert lay["image_fraction"] >= least, (m, lay["image_fraction"])
        else:
            bx, by, bw, bh = band[1]
            assert by >= iy + ih - 0.5 and bx <= ix + 0.5 and bx + bw >= ix + iw - 0.5, (m, band)
            assert iw * (ih + bh) / (w * h) >= least, (m, lay["image_fraction"], bh)
        # the sterile strip does not move when a prompt comes, goes or changes place; with the prompt in
        # the nav bar's band nor does the step (its header, its body's window and its closing action)
        assert lay["strip_rects"] == r["none"]["strip_rects"], m
        if nav is not None:
            assert lay["step_parts"] == r["none"]["step_parts"], (m, lay["step_parts"])
            assert lay["image_rect"] == r["none"]["image_rect"], m
        assert lay["strip_keys"] == ["aspirate:negative", "aliquot", "finish", "aspirate:positive"], m


def _place(lay: dict[str, object]) -> str:
    """Where the prompt was drawn: the nav bar's band, beside the image, across it, or nowhere."""
    nav = lay["nav"]
    assert isinstance(nav, dict)
    if nav["prompt"]:
        return "nav"
    return "beside" if lay["prompt_beside"] else ("across" if lay["prompt_band"] else "none")
