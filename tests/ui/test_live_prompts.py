"""The live screen at the injection with the longest prompts the injection raises, at both cart screens
(prompts_scenario.py): each prompt whole, in one place, never over the image; beside the image (the image
keeps its share) when its whole text fits in the column, else across the image (the image gives way by
that band alone); the sterile strip never moves."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.driver import run_scenario_file

SCENARIO = Path(__file__).with_name("prompts_scenario.py")
#: size -> (diagonal in inches, least fraction of the screen the image must take)
SCREENS = {"1280x800": (10.1, 0.70), "800x480": (7.0, 0.60)}
MOMENTS = ("none", "one_lapse", "two_lapses", "positive")


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
            "prompt_lines": r[m]["prompt_lines"],
            "place": "beside" if r[m]["prompt_beside"] else ("across" if r[m]["prompt_band"] else "none"),
            "prompt": (r[m]["prompt_beside"] or r[m]["prompt_band"] or [""])[0],
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
        "one_lapse": "!! MEDIUM: Aliquot 4 mL recorded as given, no negative aspiration before it: aspirate",
        "two_lapses": "no negative aspiration before it; inside the pause between aliquots: aspirate",
        "positive": "!!! HIGH: Positive aspiration: do not inject. Reposition the needle and aspirate again.",
    }
    assert measured["none"]["place"] == "none"
    for m in MOMENTS:
        lay = r[m]
        ix, iy, iw, ih = lay["image_rect"]
        if m in words:
            assert words[m] in measured[m]["prompt"], (m, measured[m])
        # whole: no text on screen shortened, larger than its widget or broken mid-word
        cut = [t["text"] for t in lay["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
        assert cut == [], (m, cut)
        assert lay["text_over_image"] == [] and lay["text_overlaps"] == [], m
        stage_w, stage_h = lay["stage"]
        assert lay["texture"] == [int(stage_w) // 4 * 4, int(stage_h)], (m, lay["texture"])  # drawn 1:1
        band, beside = lay["prompt_band"], lay["prompt_beside"]
        assert band is None or beside is None, m
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
        # the sterile strip does not move when a prompt comes, goes or changes place
        assert lay["strip_rects"] == r["none"]["strip_rects"], m
        assert lay["strip_keys"] == ["aspirate:negative", "aliquot", "finish", "aspirate:positive"], m
