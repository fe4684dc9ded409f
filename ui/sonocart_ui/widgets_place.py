"""Where a scroll window over a list of rows shows it from, and the room it gives up at its bottom, so that
neither of its edges runs through a row (widgets_rows.WholeRows measures the rows from the widget tree and
places the window). Plain numbers: no Kivy here."""

from __future__ import annotations

#: (top, bottom) of a row, px below the top of the window's content
Row = tuple[float, float]
#: An edge within this many px of a row's own edge does not cut it (the layout's float shares).
SLACK = 1.0


def window_place(
    rows: list[Row], height: float, room: float, offset: float, shown: float
) -> tuple[float, float]:
    """Where a window with ``room`` px (``shown`` px of them showing now, from ``offset`` px below the
    content's top) over content ``height`` px high shows it from, and the px it gives up at its bottom, so
    that neither edge runs through a row: at the top, the row cut shown whole or left above, whichever
    keeps whole every row whole now but those beside a cut one (then whichever keeps more whole, then the
    nearer); at the bottom, up to the first row its edge would cut. Nothing given up when the content
    fits."""
    if height <= room + 0.5:
        return 0.0, 0.0
    offset = min(max(offset, 0.0), height - shown)
    if not _cut(rows, offset):
        return offset, _given_up(rows, height, room, offset)
    whole_now = _whole(rows, offset, offset + shown)
    cut_now = _cut(rows, offset) + _cut(rows, offset + shown)
    choices = []
    for place in (_past(rows, offset, up=True), _past(rows, offset, up=False)):
        snap = _given_up(rows, height, room, place)
        whole = _whole(rows, place, place + room - snap)
        lost = [r for r in whole_now - whole if not any(t < r[1] and b > r[0] for t, b in cut_now)]
        choices.append((len(lost), -len(whole), abs(place - offset), place, snap))
    best = min(choices)
    return best[3], best[4]


def _cut(rows: list[Row], edge: float) -> list[Row]:
    return [(t, b) for t, b in rows if t < edge - SLACK and b > edge + SLACK]


def _past(rows: list[Row], edge: float, up: bool) -> float:
    """The edge moved up to the top of the rows it cuts (or down to their bottom) until it cuts none."""
    for _ in range(len(rows) + 1):
        cut = _cut(rows, edge)
        if not cut:
            break
        edge = min(t for t, _ in cut) if up else max(b for _, b in cut)
    return edge


def _given_up(rows: list[Row], height: float, room: float, place: float) -> float:
    """The px a window ``room`` high showing the content from ``place`` gives up at its bottom: up to the
    first row its edge would cut, and never past the content's end; only what the end needs when what is
    left would hold less than a row (half a line under a whole one reads as a message of its own)."""
    end = min(place + room, height)
    edge = _past(rows, end, up=True)
    least = min((b - t for t, b in rows), default=room)
    return place + room - (edge if edge - place >= least else end)


def _whole(rows: list[Row], top: float, bottom: float) -> set[Row]:
    return {(t, b) for t, b in rows if t >= top - SLACK and b <= bottom + SLACK}
