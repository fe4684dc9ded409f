"""The live screen's column beside the image shows only whole texts, at both cart screens: at the STOP
with its HIGH prompt up, at the injection with a MEDIUM prompt up and with that prompt acknowledged, every
text drawn in the column is entirely inside the visible rectangle of the scroll view that holds it (or
entirely outside it: clipped away whole), never cut by its edge ("4 mL given with no" read as a whole
message); the step's header is whole inside the column; and when texts of the body are not shown, a
visible row says how many ("N more"). The oracle is the real window's widget tree (column_geometry.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.ui.driver import run_scenario_file

SCENARIO = Path(__file__).with_name("column_scenario.py")
MOMENTS = ("stop", "medium", "medium_next", "acknowledged")


def _inside(a: list[float], b: list[float]) -> bool:
    return (
        a[0] >= b[0] - 0.5
        and a[1] >= b[1] - 0.5
        and a[0] + a[2] <= b[0] + b[2] + 0.5
        and a[1] + a[3] <= b[1] + b[3] + 0.5
    )


def _apart(a: list[float], b: list[float]) -> bool:
    return a[1] >= b[1] + b[3] - 0.5 or a[1] + a[3] <= b[1] + 0.5


@pytest.mark.ui
@pytest.mark.parametrize("size", ["1280x800", "800x480"])
def test_the_column_beside_the_image_shows_only_whole_texts_and_says_how_many_more(
    ui_env: dict[str, str], tmp_path: Path, size: str
) -> None:
    artifacts = ARTIFACTS / "ui" / f"column-{size}"
    r = run_scenario_file(SCENARIO, ui_env, tmp_path, artifacts, "--size", size)
    (artifacts / "column.json").write_text(json.dumps({m: r[m] for m in MOMENTS}, indent=2))
    for m in MOMENTS:
        lay = r[m]
        cut, out_of_column = [], []
        for t in lay["texts"]:
            rect, scroll = t["rect"], t["scroll"]
            if scroll is None:
                if not _inside(rect, lay["column"]):
                    out_of_column.append(t["text"])
            elif not (_inside(rect, scroll) or _apart(rect, scroll)):
                cut.append((t["text"], rect, scroll))
        assert cut == [], (size, m, cut)
        assert out_of_column == [], (size, m, out_of_column)  # the header, the prompt, the strip: whole
        shown = [t["text"] for t in lay["texts"]]
        assert any("·" in s and "step" in s for s in shown), (size, m, shown)  # the step's header shown
        hidden = lay["hidden"]
        if hidden:
            cue = f"{len(hidden)} more"
            assert any(cue in s for s in shown), (size, m, cue, hidden, shown)
        else:
            assert not any(" more " in s for s in shown), (size, m, shown)
    # the "more" row's tap shows other texts of the body (or the first again), whole as well
    body = {
        m: [t["text"] for t in r[m]["texts"] if t["scroll"] and " more" not in t["text"]] for m in MOMENTS
    }
    if r["medium"]["hidden"]:
        assert r["medium_next"]["hidden"] != r["medium"]["hidden"] or body["medium_next"] != body["medium"]
    # the moments' own texts, written out here: the acknowledged line is whole, or counted
    acked = r["acknowledged"]
    line = [t for t in acked["texts"] + [{"text": h} for h in acked["hidden"]] if "acknowledged" in t["text"]]
    assert line, (size, acked)
