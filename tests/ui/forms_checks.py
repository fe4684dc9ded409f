"""What every form must show, asserted on what tests/ui/forms_layout.py measured from the widget tree: one
keypad layout (labels and relative positions, against the layout written out here by hand), the value above
the keys, a label for every filled field, and closing buttons fixed above the nav bar."""

from __future__ import annotations

from typing import Any

#: The keypad as the team sees it, row by row from the top (written here, not read from the code).
PAD = [["1", "2", "3", "4", "5", "DEL"], ["6", "7", "8", "9", "0", "."]]


def _inside(rect: list[float], window: list[float]) -> bool:
    x, y, w, h = rect
    return x >= -0.5 and y >= -0.5 and x + w <= window[0] + 0.5 and y + h <= window[1] + 0.5


def assert_one_keypad(seen: list[dict[str, Any]], px_per_mm: float) -> set[str]:
    """Every keypad seen has the same keys in the same places, 12 mm each, the value whole above them;
    returns the screens where a keypad was seen."""
    screens = set()
    for s in seen:
        window = s["forms"]["window"]
        for pad in s["forms"]["keypads"]:
            where = (s["screen"], s["label"])
            screens.add(s["screen"])
            keys = {text: rect for text, rect in pad["keys"]}
            expected = PAD if "." in keys else [[k for k in row if k != "."] for row in PAD]
            # rows by their height on the glass (window y grows upwards: the top row has the largest y)
            ys = sorted({round(r[1]) for r in keys.values()}, reverse=True)
            rows = [
                sorted((t for t, r in keys.items() if round(r[1]) == y), key=lambda t: keys[t][0]) for y in ys
            ]
            assert rows == expected, (where, rows)
            sizes = {(round(r[2]), round(r[3])) for r in keys.values()}
            assert len(sizes) == 1, (where, sizes)  # one key size
            (kw, kh) = sizes.pop()
            assert kw >= 12 * px_per_mm - 1 and kh >= 12 * px_per_mm - 1, (where, kw, kh)
            # each key at its column and row, in key pitches from the "1" (the same grid at both sizes)
            x0, y0 = keys["1"][0], keys["1"][1]
            pitch_x, pitch_y = keys["2"][0] - x0, y0 - keys["6"][1]
            for r, row in enumerate(expected):
                for c, text in enumerate(row):
                    x, y = keys[text][0], keys[text][1]
                    assert abs(x - x0 - c * pitch_x) < 1 and abs(y0 - y - r * pitch_y) < 1, (where, text)
            assert not pad["in_scroll"] and all(_inside(rect, window) for rect in keys.values()), where
            # the value (or the PIN dots) drawn whole above the keys, over them
            text, (vx, vy, vw, vh), drawn = pad["value"]
            top = max(r[1] + r[3] for r in keys.values())
            assert text and drawn and vy >= top - 0.5 and _inside([vx, vy, vw, vh], window), (where, text)
            assert vx < x0 + 6 * pitch_x and vx + vw > x0, (where, "value not over the keys")
    return screens


def assert_fields_labelled(fields: list[dict[str, Any]], px_per_mm: float) -> None:
    """Every field is filled, and its name is a label right above it (or beside it), drawn whole, on screen
    with it (a field in a scroll view fits its viewport together with its label)."""
    assert fields
    for f in fields:
        y, h = f["rect"][1], f["rect"][3]
        assert f["text"], f
        mine = [lab for lab in f["labels"] if _names(lab[1], f["rect"], px_per_mm)]
        assert len(mine) == 1, (f["text"], mine)
        text, (_lx, ly, lw, lh), shortened, (tw, th) = mine[0]
        assert not shortened and tw <= lw + 1 and th <= lh + 1, (text, "not whole", mine[0])
        if f["viewport"] is not None:
            assert max(ly + lh, y + h) - min(ly, y) <= f["viewport"][3], (
                text,
                "not on screen with its field",
            )


def _names(label: list[float], field: list[float], px_per_mm: float) -> bool:
    """A label right above the field (over its width) or right beside it, on its left."""
    lx, ly, lw, lh = label
    x, y, w, h = field
    above = lx < x + w and lx + lw > x and y + h - 1 <= ly <= y + h + 3 * px_per_mm
    beside = lx + lw <= x + 1 and x - (lx + lw) <= 3 * px_per_mm and ly < y + h and ly + lh > y
    return above or beside


def assert_closing_fixed(seen: list[dict[str, Any]]) -> set[str]:
    """Every form's closing button is laid out whole above the nav bar, outside any scroll view; returns
    the closing buttons seen."""
    ids = set()
    for s in seen:
        nav, window = s["forms"]["nav"], s["forms"]["window"]
        for b in s["forms"]["closing"]:
            ids.add(b["id"])
            y = b["rect"][1]
            assert not b["in_scroll"], (s["label"], b)
            assert y >= nav[1] + nav[3] - 0.5 and _inside(b["rect"], window), (s["label"], b)
    return ids
