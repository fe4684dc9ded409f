"""The status bar at both cart screens (summary_scenario.status_bars, a part of the shared screens run), for
every catalogue procedure at each of its sides: a part of the bar (side and site, operator, probe, pedals)
wraps only when the whole bar cannot hold all four on one line (issue 14, brief SU defect 2: at 10 inches
"LEFT · femoral nerve / block" wrapped beside wide gaps, each part had a fixed share of the width).

The oracle is Kivy's CoreLabel: each part's text laid out alone on one line, in the part's font, in the
scenario's process; the bar's room is its width less its margins and the gaps between the parts. When the
four one-line widths fit the room, every part is one line; when they do not, a part whose line fits a
fourth of the room is still one line (only the longest wrap). Nothing is shortened: every part's text is
drawn whole inside its own width. With the old fixed shares (1 : 0.5 : 0.8 : 1.1 at 10 inches) the
femoral block's LEFT banner took two lines in a bar with room for all four on one line.
"""

from __future__ import annotations

from typing import Any

import pytest

from sonocart.procedures.catalogue import load_catalogue
from sonocart_ui.viewmodels.bar_shares import allot
from tests.ui.screens import ScreensRuns


@pytest.mark.parametrize(
    ("lines", "words", "room", "widths"),
    [
        # all fit: each its line and an equal part of the 50 px left
        ([100.0, 50.0], [60.0, 50.0], 200.0, [125.0, 75.0]),
        # 450 px of lines in 300: a cap of 150 keeps the 50 and the 100 whole, the 300 wraps at 150
        ([300.0, 50.0, 100.0], [80.0, 50.0, 60.0], 300.0, [150.0, 50.0, 100.0]),
        # a cap of 100 would cut the first part's 200 px word: it keeps its word, the other gets the rest
        ([300.0, 300.0], [200.0, 50.0], 300.0, [200.0, 100.0]),
        # not even the longest words fit: shares in proportion to them
        ([300.0, 300.0], [200.0, 200.0], 300.0, [150.0, 150.0]),
    ],
)
def test_the_bars_room_is_shared_so_that_only_the_parts_that_cannot_fit_wrap(
    lines: list[float], words: list[float], room: float, widths: list[float]
) -> None:
    got = allot(lines, words, room)
    assert got == pytest.approx(widths, abs=1e-6)
    assert sum(got) == pytest.approx(room, abs=1e-6)  # the bar's room, all of it, no more


def _room(look: dict[str, Any]) -> float:
    pad, parts = look["padding"], look["parts"]
    return float(look["bar"][2] - pad[0] - pad[2] - look["spacing"] * (len(parts) - 1))


@pytest.mark.ui
@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", ["800x480", "1280x800"])
def test_a_status_bar_part_wraps_only_when_the_whole_bar_cannot_hold_all_parts_on_one_line(
    screens: ScreensRuns, size: str
) -> None:
    looks = screens(size).part("summary")["status"]
    procedures = load_catalogue().procedures.values()
    assert sorted((look["procedure"], look["side"]) for look in looks) == sorted(
        (p.id, side) for p in procedures for side in p.sides
    )
    longest = max(procedures, key=lambda p: len(p.name.removeprefix("Ultrasound-guided ")))
    assert {look["side"] for look in looks if look["procedure"] == longest.id} >= {"left", "right"}
    fitted = []
    for look in looks:
        what = (look["procedure"], look["side"], [p["text"] for p in look["parts"]])
        room, parts = _room(look), look["parts"]
        for p in parts:  # whole, inside its own width, never shortened
            assert p["text"] and p["texture"][0] <= p["rect"][2] + 1, (what, p)
            x, w = p["rect"][0], p["rect"][2]
            assert look["bar"][0] - 0.5 <= x and x + w <= look["bar"][0] + look["bar"][2] + 0.5, (what, p)
        one_line = [p for p in parts if p["texture"][1] <= p["one_line"][1] + 1]
        if sum(p["one_line"][0] for p in parts) <= room:
            fitted.append(look)
            assert len(one_line) == len(parts), (what, room, parts)
        else:
            short = [p for p in parts if p["one_line"][0] <= room / len(parts)]
            assert all(p in one_line for p in short), (what, room, parts)
    # some fit one line at each size (the oracle is not vacuous): at 10 inches the femoral and knee blocks
    # at LEFT, by 2 and 11 px with a frame age of two digits ("29 ms"), at 7 inches 12 of the 20
    assert fitted, size
