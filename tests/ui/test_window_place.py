"""A scroll window placed after a scroll stops (widgets_place.window_place): wherever a finger left it, its
edges run through no row, it keeps whole the rows that were whole (but a line beside a cut button), and it
moves no more than a row.

The oracle is the definition, written here: a row (top, bottom) is cut by an edge strictly inside it (more
than a pixel from each of its edges); a window shows content from ``place`` to ``place + room - snap``,
never past the content's end. The rows are a button grid as the medications step lays it out (63 px rows,
8 px gaps) and the LAST list (label lines beside taller buttons).
"""

from __future__ import annotations

import pytest

from sonocart_ui.widgets_place import window_place

GRID = [(i * 71.0, i * 71.0 + 63.0) for i in range(7)]  # 7 rows of 63 px buttons, 8 px apart: 560 px
#: a step's two lines of 30 px beside its 78 px Done button, 8 px between steps
LAST = [
    r
    for i in range(6)
    for r in ((i * 86.0, i * 86.0 + 78.0), (i * 86.0 + 9, i * 86.0 + 39), (i * 86.0 + 39, i * 86.0 + 69))
]


def _cut(rows: list[tuple[float, float]], edge: float) -> bool:
    return any(t + 1 < edge < b - 1 for t, b in rows)


def _whole(rows: list[tuple[float, float]], top: float, bottom: float) -> set[tuple[float, float]]:
    return {(t, b) for t, b in rows if t >= top - 1 and b <= bottom + 1}


@pytest.mark.parametrize(("rows", "room"), [(GRID, 250.0), (GRID, 180.0), (LAST, 260.0), (LAST, 140.0)])
def test_a_window_left_anywhere_by_a_scroll_settles_where_neither_edge_cuts_a_row(
    rows: list[tuple[float, float]], room: float
) -> None:
    height = max(b for _, b in rows)
    row_h = max(b - t for t, b in rows)
    for offset in range(int(height - room) + 1):  # every place a finger can leave the window
        place, snap = window_place(rows, height, room, float(offset), room)
        bottom = place + room - snap
        assert place >= 0 and bottom <= height + 0.01 and 0 <= snap < room, (offset, place, snap)
        assert not _cut(rows, place) and not _cut(rows, bottom), (offset, place, bottom)
        assert abs(place - offset) <= row_h, (offset, place)  # it settles, it does not jump
        # a row whole before it moved is whole after, unless it shares its band with a row that was cut
        # (a line beside a cut button goes with it): the cut ones are shown whole or left out
        cut = [(t, b) for t, b in rows if _cut([(t, b)], offset) or _cut([(t, b)], offset + room)]
        lost = _whole(rows, offset, offset + room) - _whole(rows, place, bottom)
        alone = [r for r in lost if not any(t < r[1] and b > r[0] for t, b in cut)]
        assert alone == [], (offset, place, bottom, alone)


def test_a_window_at_its_top_gives_up_its_cut_row_and_one_over_content_that_fits_gives_up_nothing() -> None:
    assert window_place(GRID, 560.0, 250.0, 0.0, 250.0) == (0.0, 250.0 - 213.0)  # row 4 starts at 213 px
    assert window_place(GRID[:3], 205.0, 250.0, 0.0, 250.0) == (0.0, 0.0)


def test_the_end_of_the_list_stays_reachable_whole() -> None:
    # dragged to its end (its bottom at the content's end), the last row is shown whole
    height, room = 560.0, 250.0
    place, snap = window_place(GRID, height, room, height - room, room)
    assert _whole(GRID, place, place + room - snap) >= {GRID[-1]}, (place, snap)
