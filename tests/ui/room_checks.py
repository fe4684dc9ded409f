"""The room the Summary, the Settings and the Alarms screens give their content (issue 14 item 7: the
summary readable at 7 inches; the pedal list showing several rows at once; no row cut by a scroll window,
the alarm list from its page's top: brief UB defects 1-3), measured from the widget tree as a ruler on the
glass would and asserted in the scenario's own process: a failed check fails the scenario's test with what
was measured. Called by tests/ui/procedure_scenario.py where it shows each screen; each check also writes
its numbers to ``room-<screen>.json`` in the scenario's artifacts.

The oracle is written here, not read from the code under test: the cart screens' diagonals, the smallest
touch target (12 mm) and glyph (caps 3 mm high, 0.7 of the em box), and the least room each size must give.
Before (main at 00d688e) the Summary's body was 177 px of 480 (37 %) and 388 px of 800 (48 %); two pedal
rows were whole at 7 inches, all eight at 10 inches.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from tests.ui.driver import Steps, settled
from tests.ui.layout import (
    Rect,
    _inside,
    _scroll_of,
    cut_line,
    overlap,
    text_audit,
    visible_widgets,
    window_rect,
)

#: The cart's screens: window size -> diagonal in inches.
DIAGONAL_IN = {(800, 480): 7.0, (1280, 800): 10.1}
#: The least share of the window's height the Summary's body (the record, scrolling) is given.
SUMMARY_BODY_SHARE = {(800, 480): 0.60, (1280, 800): 0.50}
#: The least number of pedal rows drawn whole as the Settings screen opens.
PEDAL_ROWS_WHOLE = {(800, 480): 4, (1280, 800): 8}
#: The Summary's actions, by the words on them.
SUMMARY_ACTIONS = ("Export report + DICOM", "Send to PACS", "New procedure")
#: The least height a still of the Summary is drawn at, and the least share of its cell's width: a
#: thumbnail a clinician can read at arm's length on the cart (not the ~20 px sliver of round 12).
STILL_MIN_MM = 25.0
STILL_MIN_WIDTH_SHARE = 0.9
#: ... and the most: a still never takes more than this share of the body's window (a still 400 px high
#: in a window of 440 px at 10 inches reads as the whole record)
STILL_MAX_WINDOW_SHARE = 0.6
#: A pedal row as the team reads it ("sterile: A tap = freeze"): context, pedal, gesture, action.
PEDAL_ROW = re.compile(r"^[a-z]+: [AB] (tap|hold) = \S")


def check_summary_room(app: Any, artifacts: Path) -> dict[str, Any]:
    """The record's body (text and stills) takes most of the height; its actions are fixed, whole, 12 mm,
    above the nav bar and clear of the body; every text is whole, inside the body's width, legible."""
    from kivy.core.window import Window

    win, px_mm = _window(Window)
    screen = app.screens.current_screen
    bodies = _scrolls(screen)
    assert screen.name == "summary" and len(bodies) == 1, (screen.name, bodies)
    body = bodies[0]
    box = window_rect(body)
    nav = window_rect(app.root.ids.nav)
    texts = [w for w in _labels(screen) if _scroll_of(w) is body]
    stills = [w for w in visible_widgets(screen) if type(w).__name__ == "Thumbnail"]
    actions = {w.text: w for w in _labels(screen) if w.text in SUMMARY_ACTIONS}
    m: dict[str, Any] = {
        "window": list(win),
        "body": list(box),
        "body_share": box[3] / win[1],
        "nav": list(nav),
        "stills": len(stills),
        "stills_in_body": sum(_scroll_of(w) is body for w in stills),
        "actions": {t: list(window_rect(w)) for t, w in actions.items()},
        "cut": _cut(Window),
        # at rest (its top shown) the body's edge runs through no line: half a line reads as a message
        "at_rest": float(body.scroll_y) >= 0.999,
        "cut_lines": [c for w in texts if (c := cut_line(w, box))],
    }
    bad = []
    if m["at_rest"]:
        bad += [f"line cut by the body's edge: {c!r}" for c in m["cut_lines"]]
    if m["body_share"] < SUMMARY_BODY_SHARE[win]:
        bad.append(f"the body is {m['body_share']:.0%} of the height, under {SUMMARY_BODY_SHARE[win]:.0%}")
    record = "\n".join(w.text for w in texts)
    parts = ("drugs:", "complications:", "follow-up:")
    bad += [f"no {part!r} in the body" for part in parts if part not in record]
    if not stills or m["stills_in_body"] != len(stills):
        bad.append("the stills are not all in the body")
    if sorted(actions) != sorted(SUMMARY_ACTIONS):
        bad.append(f"actions shown: {sorted(actions)}")
    for text, w in actions.items():
        r = window_rect(w)
        if _scroll_of(w) is not None or not _inside(r, (0.0, 0.0, *win)):
            bad.append(f"{text!r} scrolls or leaves the window")
        if r[1] < nav[1] + nav[3] - 0.5:
            bad.append(f"{text!r} is under the nav bar")
        if not _apart(r, box):
            bad.append(f"{text!r} is over the body")
        if min(r[2], r[3]) < 12 * px_mm - 1:
            bad.append(f"{text!r} is smaller than a 12 mm target")
    for w in texts:  # wrapped inside the body's width (never a sideways scroll), caps >= 3 mm
        r = window_rect(w)
        if r[0] < box[0] - 0.5 or r[0] + r[2] > box[0] + box[2] + 0.5:
            bad.append(f"{w.text[:30]!r} runs past the body")
        if w.font_size * 0.7 < 3 * px_mm - 0.5:
            bad.append(f"{w.text[:30]!r} is drawn at {w.font_size} px: caps under 3 mm")
    images = [w for w in visible_widgets(screen) if type(w).__name__ == "Image"]
    m["stills_drawn"] = [list(w.norm_image_size) for w in images]
    m["still_cells"] = [list(window_rect(w)) for w in images]
    for w in images:  # drawn large and whole: across its cell, at its own aspect, at least 25 mm high
        dw, dh = (float(v) for v in w.norm_image_size)
        tw, th = w.texture.size if w.texture is not None else (0, 0)
        if dh < STILL_MIN_MM * px_mm - 1 or dw < STILL_MIN_WIDTH_SHARE * w.width:
            bad.append(f"a still is drawn {dw:.0f} x {dh:.0f} px in a {w.width:.0f} px cell")
        if dh > STILL_MAX_WINDOW_SHARE * box[3]:
            bad.append(f"a still is drawn {dh:.0f} px high in a window of {box[3]:.0f} px")
        if th and abs(dw / dh - tw / th) > 0.02:
            bad.append(f"a still is drawn at {dw / dh:.2f}, its pixels are {tw / th:.2f}")
    m["rows_cut_by_window"] = rows_cut_by_window(screen)
    bad += [f"cut by the scroll window: {t}" for t in m["rows_cut_by_window"]]
    bad += [f"cut: {t!r}" for t in m["cut"]]
    return _verdict(m, bad, artifacts / "room-summary.json")


def check_alarms_room(app: Any, artifacts: Path) -> dict[str, Any]:
    """The alarm list starts at the top of its page (no blank band above its title: brief UB defect 3),
    shows its rows whole, and every text is whole."""
    from kivy.core.window import Window

    screen = app.screens.current_screen
    (page,) = _scrolls(screen)
    view = window_rect(page)
    title = next(w for w in _labels(page) if w.text.startswith("Alarms and prompts"))
    r = window_rect(title)
    m: dict[str, Any] = {
        "page": list(view),
        "title": list(r),
        "blank_above_px": view[1] + view[3] - (r[1] + r[3]),
        "rows_cut_by_window": rows_cut_by_window(screen),
        "cut": _cut(Window),
    }
    bad = []
    if abs(m["blank_above_px"]) > 1:
        bad.append(f"{m['blank_above_px']:.0f} px between the page's top and the list's title")
    bad += [f"cut by the scroll window: {t}" for t in m["rows_cut_by_window"]]
    bad += [f"cut: {t!r}" for t in m["cut"]]
    return _verdict(m, bad, artifacts / "room-alarms.json")


def rows_cut_by_window(screen: Any) -> list[str]:
    """Buttons, fields and images in a scroll view that its window's top or bottom edge runs through: a row
    in a scroll view is shown whole or not at all (brief UB defect 2). Each as "what (where; window)"."""
    from kivy.uix.button import Button
    from kivy.uix.image import Image
    from kivy.uix.textinput import TextInput

    out = []
    for scroll in _scrolls(screen):
        view = window_rect(scroll)
        bottom, top = view[1], view[1] + view[3]
        for w in visible_widgets(scroll):
            if not isinstance(w, Button | Image | TextInput):
                continue
            r = window_rect(w)
            if any(r[1] + 1 < edge < r[1] + r[3] - 1 for edge in (bottom, top)):
                what = f"image {Path(str(w.source)).name}" if isinstance(w, Image) else w.text
                out.append(f"{what!r} ({[round(v) for v in r]}; window {[round(v) for v in view]})")
    return out


def buttons_under_bar(screen: Any) -> list[str]:
    """Buttons in a scroll view whose box overlaps the strip its scroll bar is drawn in while it has more
    than its window (Kivy's style.kv draws the bar over the content, ``bar_margin`` from the window's right
    edge, ``bar_width`` wide): a bar is drawn beside the buttons, never over them. Each as "what (where)"."""
    from kivy.uix.button import Button

    out = []
    for scroll in _scrolls(screen):
        body = scroll.children[0] if scroll.children else None
        if body is None or not scroll.do_scroll_y or body.height <= scroll.height:
            continue  # no bar drawn
        view = window_rect(scroll)
        right = view[0] + view[2] - float(scroll.bar_margin)
        strip = (right - float(scroll.bar_width), view[1], float(scroll.bar_width), view[3])
        for w in visible_widgets(scroll):
            if isinstance(w, Button) and overlap(window_rect(w), strip) > 0:
                out.append(
                    f"{w.text!r} ({[round(v) for v in window_rect(w)]}; bar {[round(v) for v in strip]})"
                )
    return out


def field_hides_text(field: Any) -> list[str]:
    """What of a text field's text is not shown: every word of it laid out in the field's lines, each
    line no wider than the field inside its padding (measured on one line by Kivy's text provider, not
    read from the field), all the lines within its height, and the field not scrolled within itself (a
    one-line field showed only the end of its text). [] when all of it is shown."""
    lines = [str(line) for line in field._lines]
    inner_w = float(field.width) - float(field.padding[0]) - float(field.padding[2])
    need = len(lines) * float(field.line_height + field.line_spacing) + field.padding[1] + field.padding[3]
    bad = []
    if " ".join(lines).split() != field.text.split():
        bad.append(f"its lines {lines} are not its text {field.text!r}")
    bad += [
        f"{line!r} is wider than {inner_w:.0f} px"
        for line in lines
        if _text_width(line, field.font_size) > inner_w + 1
    ]
    if need > float(field.height) + 1:
        bad.append(f"{len(lines)} lines need {need:.0f} px, the field is {field.height:.0f} px high")
    if abs(float(field.scroll_x)) > 0.5 or abs(float(field.scroll_y)) > 0.5:
        bad.append(f"scrolled within itself to ({field.scroll_x:.0f}, {field.scroll_y:.0f})")
    return bad


def drag(scroll: Any, dy: float, frames: int = 6) -> Steps:
    """A finger on ``scroll``'s window, in its left quarter, dragging its content ``dy`` px up (what is
    below comes into view) over ``frames`` frames and lifted, as on the glass: the real ScrollView's touch
    handling and its scroll effect, a fling included. It starts by moving past the scroll distance in the
    frame it lands (on a button too, it is a scroll, not a press); yields until the scroll is at rest (the
    effect's velocity 0) and every text still."""
    from kivy.tests.common import UnitTestTouch

    x0, y0 = scroll.to_window(scroll.x + scroll.width / 4, scroll.y + scroll.height * 0.3)
    first = float(scroll.scroll_distance) + 5
    t = UnitTestTouch(x0, y0)
    t.touch_down()
    t.touch_move(x0, y0 + first)
    for i in range(1, frames + 1):
        yield
        t.touch_move(x0, y0 + first + (dy - first) * i / frames)
    yield
    t.touch_up()
    effect = scroll.effect_y
    for _ in range(600):  # at most a few seconds of frames: a fling slows to a stop by itself
        yield
        if not effect.is_manual and effect.velocity == 0 and scroll._touch is None:
            break
    yield from settled(max_s=1.0)


def check_settings_room(app: Any, artifacts: Path) -> dict[str, Any]:
    """Several pedal rows whole as the screen opens (their scroll at its top), each a 12 mm target; the PACS
    fields and Save fixed above the nav bar, each typed value whole in its field; the technician's and the
    saved PACS lines shown; every text whole."""
    from kivy.core.window import Window
    from kivy.uix.textinput import TextInput

    win, px_mm = _window(Window)
    screen = app.screens.current_screen
    rows = [w for w in _labels(screen) if PEDAL_ROW.match(w.text)]
    scrolls = {id(_scroll_of(w)): _scroll_of(w) for w in rows}
    assert screen.name == "settings" and len(rows) >= 8 and len(scrolls) == 1, (screen.name, len(rows))
    (scroll,) = scrolls.values()
    assert scroll is not None, "the pedal rows are not in a scroll view"
    view = window_rect(scroll)
    nav = window_rect(app.root.ids.nav)
    form = [w for w in visible_widgets(screen) if isinstance(w, TextInput)]
    form += [w for w in _labels(screen) if w.text == "Save PACS"]
    lines = [w.text for w in _labels(screen) if "last frame" in w.text or w.text.startswith("PACS: ")]
    m: dict[str, Any] = {
        "window": list(win),
        "pedal_view": list(view),
        "scroll_y": float(scroll.scroll_y),
        "pedal_rows": len(rows),
        "pedal_rows_whole": [w.text for w in rows if _inside(window_rect(w), view)],
        "nav": list(nav),
        "form": [list(window_rect(w)) for w in form],
        "lines": lines,
        "cut": _cut(Window),
    }
    bad = []
    if m["scroll_y"] < 0.999:
        bad.append("the pedal list is scrolled: not as the screen opens")
    if len(m["pedal_rows_whole"]) < PEDAL_ROWS_WHOLE[win]:
        bad.append(f"{len(m['pedal_rows_whole'])} pedal rows whole, under {PEDAL_ROWS_WHOLE[win]}")
    bad += [f"{w.text!r} is lower than 12 mm" for w in rows if w.height < 12 * px_mm - 1]
    if len(form) != 4:
        bad.append(f"the PACS form has {len(form)} parts, not host, port, AE title and Save")
    for w in form:
        r = window_rect(w)
        if _scroll_of(w) is not None or not _inside(r, (0.0, 0.0, *win)) or r[1] < nav[1] + nav[3] - 0.5:
            bad.append(f"{type(w).__name__} at {r} is not fixed above the nav bar")
    for w in (f for f in form if isinstance(f, TextInput)):  # a typed value whole (a longer one scrolls)
        if _text_width(w.text, w.font_size) > w.width - w.padding[0] - w.padding[2]:
            bad.append(f"{w.text!r} does not fit its field ({w.width:.0f} px)")
    if len(lines) != 2:
        bad.append(f"the technician's and the PACS lines: {lines}")
    m["rows_cut_by_window"] = rows_cut_by_window(screen)
    bad += [f"cut by the scroll window: {t}" for t in m["rows_cut_by_window"]]
    bad += [f"cut: {t!r}" for t in m["cut"]]
    return _verdict(m, bad, artifacts / "room-settings.json")


def _verdict(measured: dict[str, Any], bad: list[str], path: Path) -> dict[str, Any]:
    """Write what was measured (and what is wrong) next to the screenshots, then fail on anything wrong."""
    measured["wrong"] = bad
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(measured, indent=2))
    assert bad == [], (bad, measured)
    return measured


def _text_width(text: str, font_size: float) -> float:
    """The width Kivy's text provider gives ``text`` on one line at ``font_size``."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=text, font_size=font_size)
    core.refresh()
    return float(core.content_width)


def _window(window: Any) -> tuple[tuple[int, int], float]:
    size = (int(window.width), int(window.height))
    return size, math.hypot(*size) / (DIAGONAL_IN[size] * 25.4)


def _scrolls(screen: Any) -> list[Any]:
    from kivy.uix.scrollview import ScrollView

    return [w for w in visible_widgets(screen) if isinstance(w, ScrollView)]


def _labels(root: Any) -> list[Any]:
    """Labels and buttons with text under ``root``, drawn now (scrolled away or not)."""
    from kivy.uix.label import Label

    return [w for w in visible_widgets(root) if isinstance(w, Label) and w.text.strip()]


def _apart(a: Rect, b: Rect) -> bool:
    """Two rectangles that do not overlap (touching edges allowed)."""
    return (
        a[0] + a[2] <= b[0] + 0.5
        or b[0] + b[2] <= a[0] + 0.5
        or a[1] + a[3] <= b[1] + 0.5
        or b[1] + b[3] <= a[1] + 0.5
    )


def _cut(window: Any) -> list[str]:
    """Texts on the window shortened by Kivy, larger than their widget or with a word broken across lines:
    the truncation check of the catalogue walk and the e2e (tests/ui/layout.text_audit)."""
    return [t["text"] for t in text_audit(window) if t["shortened"] or t["overflow"] or t["broken_word"]]
