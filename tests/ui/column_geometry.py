"""Every text in the live screen's column, measured from the window's widget tree: where each label and
its drawn text are, in window pixels, against the rectangle of the step body's scroll view (the part that
clips) and the column's own. Written apart from the screen's code: it reads only Kivy's geometry."""

from __future__ import annotations

from typing import Any

Rect = tuple[float, float, float, float]


def _rect(w: Any) -> Rect:
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))


def _drawn(w: Any) -> Rect:
    """The widget's box joined with its text's (a Label draws its texture centred on itself)."""
    x, y, ww, hh = _rect(w)
    tw, th = w.texture_size
    cx, cy = x + ww / 2, y + hh / 2
    x0, y0 = min(x, cx - tw / 2), min(y, cy - th / 2)
    x1, y1 = max(x + ww, cx + tw / 2), max(y + hh, cy + th / 2)
    return (x0, y0, x1 - x0, y1 - y0)


def _opacity(w: Any) -> float:
    o = 1.0
    while w is not None and w is not w.parent:
        o *= float(w.opacity)
        w = w.parent
    return o


def _walk(w: Any) -> list[Any]:
    out = [w]
    for c in w.children:
        out += _walk(c)
    return out


def _within(w: Any, ancestor: Any) -> bool:
    while w is not None:
        if w == ancestor:
            return True
        w = w.parent if w.parent is not w else None
    return False


def column_texts(live: Any) -> dict[str, Any]:
    """Each drawn text in the column (non-empty, not fully transparent): its rectangle, and whether it
    is under the scroll view; the scroll view's and the column's rectangles."""
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    column = live.ids.column
    scrolls = [w for w in _walk(column) if isinstance(w, ScrollView)]
    texts = []
    for w in _walk(column):
        if not isinstance(w, Label) or not w.text.strip() or _opacity(w) <= 0.0:
            continue
        scroll = next((s for s in scrolls if _within(w, s)), None)
        texts.append(
            {
                "text": w.text,
                "rect": _drawn(w),
                "scroll": None if scroll is None else _rect(scroll),
            }
        )
    # the texts a scroll view in the column holds but does not draw, unless drawn elsewhere on the screen
    drawn = {w.text for w in _walk(live) if isinstance(w, Label) and _opacity(w) > 0.0}
    hidden = [
        w.text
        for s in scrolls
        for w in _walk(s)
        if isinstance(w, Label) and w.text.strip() and _opacity(w) <= 0.0 and w.text not in drawn
    ]
    strip = [_rect(b) for b in live.ids.strip.children]
    return {"column": _rect(column), "texts": texts, "hidden": hidden, "strip": strip}
