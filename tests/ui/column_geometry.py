"""Every text in the live screen's column, measured from the window's widget tree: where each label and
its drawn text are, in window pixels, against the rectangle of the step body's scroll view (the part that
clips) and the column's own. Written apart from the screen's code: it reads only Kivy's geometry."""

from __future__ import annotations

import re
from typing import Any

from tests.ui.layout import line_boxes

#: The "more" row as the column draws it, in any of its forms: how many are hidden (group 1 or 4), a tap,
#: which page of how many ("+3 more · tap · 1 of 4", "+3 more · 1 of 4", "1 of 4 · +3").
MORE = re.compile(r"^(?:\+(\d+) more(?: · tap)? · )?(\d+) of (\d+)(?: · \+(\d+))?$")


def more_row(text: str) -> tuple[int | None, int, int] | None:
    """(hidden or None when the row does not say, page, pages) of a "more" row's text, else None."""
    m = MORE.match(text.replace("\u00a0", " "))  # (no-break spaces keep "1 of 3" on one line)
    if m is None:
        return None
    hidden = m.group(1) or m.group(4)
    return (None if hidden is None else int(hidden), int(m.group(2)), int(m.group(3)))


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


def _glyphs(w: Any) -> Rect:
    """Where the label's text itself is drawn: its texture, centred on the widget (a label's box may
    hold empty room around it: an item's gap)."""
    x, y, ww, hh = _rect(w)
    tw, th = w.texture_size
    return (x + (ww - tw) / 2, y + (hh - th) / 2, tw, th)


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


def within(w: Any, ancestor: Any) -> bool:
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
        scroll = next((s for s in scrolls if within(w, s)), None)
        texts.append(
            {
                "text": w.text,
                "rect": _drawn(w),
                "glyphs": _glyphs(w),
                "scroll": None if scroll is None else _rect(scroll),
                "button": hasattr(w, "state"),  # a Button (a Label with a pressed state)
                "touch_h": _rect(w)[3],
                # its lines as Kivy laid them out: (text, bottom, top) in window pixels
                "lines": line_boxes(w),
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
    more = [t for t in texts if t["scroll"] is not None and more_row(t["text"])]
    return {
        "column": _rect(column),
        "texts": texts,
        "hidden": hidden,
        "strip": strip,
        "more": more[0]["text"] if more else "",
        "body": _rect(scrolls[0]) if scrolls else None,
        # what the body's scroll view holds, where it is now: taller than its window, the page may scroll
        "content": _rect(scrolls[0].children[0]) if scrolls and scrolls[0].children else None,
    }


def laid_height(text: str, font_size: float, bold: bool, width: float) -> float:
    """``text``'s height laid out by Kivy's text layout (CoreLabel) at ``width``, in that font."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=text, font_size=font_size, bold=bold, text_size=(width, None))
    core.refresh()
    return float(core.content_height)


def whole_heights(live: Any, texts: dict[str, list[str]]) -> dict[str, float]:
    """Each of the step's whole texts (``texts``: by kind, "toast", "fact", "clause") laid out alone by
    Kivy's text layout at the body's width in the font its label in the column draws that kind in."""
    panel = live.step_panel
    labels = {"toast": live.column_pages.feedback, "fact": panel.ids.detail, "clause": panel.ids.step_text}
    width = float(panel.ids.body.width)
    return {
        t: laid_height(t, float(labels[kind].font_size), bool(labels[kind].bold), width)
        for kind, ts in texts.items()
        for t in ts
    }


def catalogue_clauses(live: Any, kind: str) -> list[dict[str, Any]]:
    """Every catalogue procedure's step of ``kind`` cut after its clauses' ends ("; ", ". ", ": "), each
    laid out by Kivy's text layout (CoreLabel) in the step text's font at the body's width: its height,
    against the body's height now and the one-line "more" row's."""
    from kivy.app import App

    app = App.get_running_app()
    panel = live.step_panel
    style, width = panel.ids.step_text, float(panel.ids.scroll.width)

    def height(text: str, bold: bool) -> float:
        return laid_height(text, float(style.font_size), bold, width)

    row = height("0", True)  # the row is one line (the column picks words that fit one)
    out = []
    for proc in app.session.catalogue.procedures.values():
        for phase in proc.phases:
            for step in phase.steps:
                if step.kind != kind:
                    continue
                for clause in re.split(r"(?<=[;.]) +", step.text.strip()):
                    out.append(
                        {
                            "procedure": proc.id,
                            "clause": clause,
                            "height": height(clause, True),
                            "body": float(panel.ids.scroll.height),
                            "row": row,
                        }
                    )
    return out
