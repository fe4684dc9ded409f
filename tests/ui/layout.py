"""Measuring the screen from the widget tree, as a ruler on the glass would: where the image is drawn,
which text is visible and where. Used by the UI scenarios; the tests assert on what they report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Rect = tuple[float, float, float, float]  # x, y, width, height in window pixels


def window_rect(w: Any) -> Rect:
    x, y = w.to_window(w.x, w.y)
    return (x, y, float(w.width), float(w.height))


def drawn_image_rect(image: Any) -> Rect:
    """Where an Image widget draws its texture (centred, ``norm_image_size``), in window pixels."""
    nw, nh = image.norm_image_size
    cx, cy = image.to_window(image.center_x, image.center_y)
    return (cx - nw / 2, cy - nh / 2, float(nw), float(nh))


def overlap(a: Rect, b: Rect) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, dx) * max(0.0, dy)


def visible_widgets(root: Any) -> Iterator[Any]:
    """Every widget drawn now: not hidden by its own or an ancestor's opacity, not of zero size."""
    stack = [root]
    while stack:
        w = stack.pop()
        if w.opacity == 0 or w.width <= 0 or w.height <= 0:
            continue
        yield w
        stack.extend(w.children)


def visible_texts(root: Any) -> list[tuple[Any, Rect]]:
    """Labels (buttons included) that show text, with their window rectangles."""
    from kivy.uix.label import Label

    return [(w, window_rect(w)) for w in visible_widgets(root) if isinstance(w, Label) and w.text.strip()]


def live_layout(app: Any) -> dict[str, Any]:
    """The live screen measured: image fraction of the window, texture vs stage, text over the image."""
    from kivy.core.window import Window

    live = app.live_screen
    img = live.ids.image
    rect = drawn_image_rect(img)
    win_w, win_h = Window.size
    over = [w.text for w, r in visible_texts(Window) if overlap(r, rect) > 0]
    strip = [b for b in live.ids.strip.children if b.opacity > 0]
    texts = [(w, _drawn_part(w, r)) for w, r in visible_texts(Window)]
    overlaps = [
        (a.text, b.text) for i, (a, ra) in enumerate(texts) for b, rb in texts[i + 1 :] if overlap(ra, rb) > 1
    ]
    return {
        "window": [win_w, win_h],
        # the prompt across the image, above it, or in the column beside it (one or the other, or none)
        "prompt_band": _shown_button(live.ids.prompt),
        "prompt_beside": _shown_button(live.ids.prompt_beside),
        "prompt_lines": _lines(live.prompt_button) if live.prompt_text else 0,
        "prompt_line_texts": line_texts(live.prompt_button) if live.prompt_text else [],
        "nav": nav_layout(app),
        # the step's body under its fixed header: its scroll view's height, and its content's
        "step_body": [live.step_panel.ids.scroll.height, live.step_panel.ids.scroll.children[0].height],
        "step_text_and_detail": [live.step_panel.ids.step_text.height, live.step_panel.ids.detail.height],
        # where the step's parts are: its fixed header, its body's window (the scroll view) and its foot
        "step_parts": {
            k: window_rect(live.step_panel.ids[k]) for k in ("phase_title", "scroll", "foot", "submit")
        },
        "text_overlaps": overlaps,
        "step_header": [live.step_panel.ids.phase_title.text, window_rect(live.step_panel.ids.phase_title)],
        "image_rect": list(rect),
        "image_fraction": rect[2] * rect[3] / (win_w * win_h),
        "texture": list(img.texture.size) if img.texture else None,
        "stage": [live.ids.stage.width, live.ids.stage.height],
        "text_over_image": over,
        "strip_keys": [b.key for b in reversed(strip)],
        "strip_rects": [window_rect(b) for b in reversed(strip)],
        "strip_texts": [b.text for b in reversed(strip)],
        "strip_colours": [list(b.background_color) for b in reversed(strip)],
        "depth_numbers": [w.text for w in live.ids.depth_band.children],
        # centre of each number, in window rows from the top (as a screenshot counts them)
        "depth_number_rows": {
            w.text: win_h - (window_rect(w)[1] + w.height / 2) for w in live.ids.depth_band.children
        },
    }


#: The nav bar's buttons: LAST (never moves, never gives way) and those that give way to an
#: unacknowledged prompt in the whole band right of LAST and come back in the same place (docs/ui.md).
NAV_FIXED = ("nav_last", "nav_procedure", "nav_scan", "nav_alarms")


def nav_layout(app: Any) -> dict[str, Any]:
    """The nav bar measured: its fixed buttons on screen now and their rectangles, the prompt in its band
    (if shown there) and whether it takes the whole band, the tools on screen, and every other text drawn
    over LAST (none, ever)."""
    from kivy.core.window import Window

    nav = app.root.ids.nav
    prompt = nav.ids.nav_prompt
    in_tree = prompt.parent is not None and prompt.get_root_window() is not None
    last_button = nav.ids.nav_last.__self__  # (ids are weak proxies: never `is` them)
    last = window_rect(last_button)
    return {
        "fixed": {i: window_rect(nav.ids[i]) for i in NAV_FIXED if _on_screen(nav.ids[i])},
        "prompt": _shown_button(prompt) if in_tree else None,
        "prompt_wide": bool(in_tree and nav.prompt_up and nav.prompt_wide),
        "prompt_lines": _lines(prompt) if in_tree else 0,
        "prompt_line_texts": line_texts(prompt) if in_tree else [],
        "tools": [i for i in ("pedal_a", "pedal_b", "nav_settings", "nav_lock") if _on_screen(nav.ids[i])],
        # drawn over it: their parts inside their scroll view's window (a scrolled label's rectangle
        # runs on under the nav bar, where nothing of it is drawn)
        "over_last": [
            w.text
            for w, r in visible_texts(Window)
            if w is not last_button and overlap(_drawn_part(w, r), last) > 0
        ],
        "last_enabled": not nav.ids.nav_last.disabled,
    }


def nav_moved(seen: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """The nav bar's fixed buttons that moved or resized from ``before`` (a look with all four on screen,
    LAST at the window's left edge: the oracle) to ``seen``, or are missing though they must be on screen:
    LAST always, Steps, Image and Alarms unless an unacknowledged prompt takes the whole band."""
    assert set(before["fixed"]) == set(NAV_FIXED), before["fixed"]
    assert before["fixed"]["nav_last"][0] <= 0.5, before["fixed"]  # LAST at the left edge
    must = NAV_FIXED[:1] if seen["prompt_wide"] else NAV_FIXED
    missing = [i for i in must if i not in seen["fixed"]]
    return missing + [i for i, r in seen["fixed"].items() if r != before["fixed"][i]]


def _on_screen(w: Any) -> bool:
    """In the window's tree, drawn (not transparent, not zero wide) and touchable."""
    return w.get_root_window() is not None and w.opacity > 0 and w.width > 0 and not w.disabled


def _shown_button(b: Any) -> list[Any] | None:
    return [b.text, window_rect(b)] if b.opacity > 0 and b.height > 0 else None


def text_audit(root: Any) -> list[dict[str, Any]]:
    """Every text on screen now, with whether Kivy shortened it and whether its rendering is larger than
    its widget (``texture_size`` against the size: text cut off or spilling over its neighbours)."""
    out = []
    for w, rect in visible_texts(root):
        tw, th = w.texture_size
        scroll = _scroll_of(w)
        out.append(
            {
                "text": w.text,
                "shortened": bool(getattr(w, "is_shortened", False)),
                # larger than its widget, or (laid out on the screen itself) drawn past the window's edge
                "overflow": tw > w.width + 1
                or th > w.height + 1
                or (scroll is None and not _inside(rect, _window())),
                "bar": _bar_of(w),
                # a word Kivy broke across two lines ("Dexamethaso/ne"): read from its laid-out lines
                "broken_word": _broken_word(w),
                # partly or wholly scrolled out of its scroll view's window: needs scrolling to be read
                "clipped": scroll is not None and not _inside(rect, window_rect(scroll)),
                "scroll_owner": "" if scroll is None else _owner_of(scroll),
                # a line of its text cut by its scroll view's top or bottom edge as it is now (at rest):
                # half a line under a whole one reads as a message of its own
                "cut_line": "" if scroll is None else cut_line(w, window_rect(scroll)),
                # partly inside the window of a scroll or stencil view holding it, partly outside: cut by
                # its edge (whole lines only: in it or out of it, never half a text shown)
                "edge_cut": edge_cut(w),
            }
        )
    return out


def drawn_text_rect(w: Any) -> Rect:
    """Where a label draws its text, in window pixels: its texture, centred on the widget; a button's whole
    box (its target, drawn as its background)."""
    x, y, ww, hh = window_rect(w)
    if hasattr(w, "state"):  # a Button: a Label with a pressed state
        return (x, y, ww, hh)
    tw, th = (float(v) for v in w.texture_size)
    return (x + (ww - tw) / 2, y + (hh - th) / 2, tw, th)


def stencils_of(w: Any) -> list[Any]:
    """The scroll and stencil views holding ``w`` (a ScrollView is a StencilView), nearest first: each
    draws only what is inside its own rectangle."""
    from kivy.uix.stencilview import StencilView

    out = []
    p = w.parent
    while p is not None and p.parent is not p:
        if isinstance(p, StencilView):
            out.append(p)
        p = p.parent
    return out


def edge_cut(w: Any) -> bool:
    """``w``'s drawn text (a button's box) is partly inside and partly outside the window of a scroll or
    stencil view holding it (1 px of rounding either way): a text cut by that view's edge."""
    text = drawn_text_rect(w)
    if text[2] <= 0 or text[3] <= 0:
        return False
    for view in stencils_of(w):
        window = window_rect(view)
        if not _inside(text, window) and overlap(text, window) > 1.0:
            return True
    return False


def line_boxes(w: Any) -> list[tuple[str, float, float]]:
    """Each line Kivy laid the label's text out in, with its bottom and top in window pixels: the texture
    is drawn centred on the widget, its lines from its top down under the label's top padding."""
    lines = getattr(getattr(w, "_label", None), "_cached_lines", None) or []
    _x, y, _w, h = window_rect(w)
    top = y + h / 2 + float(w.texture_size[1]) / 2 - float(w.padding[1])
    out = []
    for line in lines:
        text = "".join(word.text for word in line.words).replace("\u00a0", " ")
        out.append((text, top - float(line.h), top))
        top -= float(line.h)
    return out


def cut_line(w: Any, window: Rect) -> str:
    """The first line of ``w`` that the window's top or bottom edge runs through ("" when none)."""
    bottom, top = window[1], window[1] + window[3]
    for text, y0, y1 in line_boxes(w):
        if text.strip() and any(y0 + 1 < edge < y1 - 1 for edge in (bottom, top)):
            return text
    return ""


def _lines(w: Any) -> int:
    """How many lines Kivy laid the label's text out in."""
    return len(getattr(getattr(w, "_label", None), "_cached_lines", None) or [])


def line_texts(w: Any) -> list[str]:
    """The lines Kivy laid the label's text out in, as read (a no-break space read as a space)."""
    lines = getattr(getattr(w, "_label", None), "_cached_lines", None) or []
    return ["".join(word.text for word in line.words).replace("\u00a0", " ") for line in lines]


def _broken_word(w: Any) -> str:
    """The first word of ``w.text`` that no line Kivy laid out holds whole ("" when none)."""
    lines = getattr(getattr(w, "_label", None), "_cached_lines", None) or []
    texts = ["".join(word.text for word in line.words) for line in lines]
    if not texts:
        return ""
    return next((t for t in w.text.split() if not any(t in line for line in texts)), "")


def _window() -> Rect:
    from kivy.core.window import Window

    return (0.0, 0.0, float(Window.width), float(Window.height))


def _drawn_part(w: Any, rect: Rect) -> Rect:
    """The part of ``rect`` drawn on screen: inside its scroll view's window (empty when scrolled away)."""
    scroll = _scroll_of(w)
    if scroll is None:
        return rect
    sx, sy, sw, sh = window_rect(scroll)
    x0, y0 = max(rect[0], sx), max(rect[1], sy)
    x1, y1 = min(rect[0] + rect[2], sx + sw), min(rect[1] + rect[3], sy + sh)
    return (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))


def _inside(inner: Rect, outer: Rect) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - 1 and y >= oy - 1 and x + w <= ox + ow + 1 and y + h <= oy + oh + 1


def _scroll_of(w: Any) -> Any:
    """The nearest scroll view holding ``w`` (None when it is laid out directly on the screen)."""
    from kivy.uix.scrollview import ScrollView

    p = w.parent
    while p is not None and p.parent is not p:
        if isinstance(p, ScrollView):
            return p
        p = p.parent
    return None


def _owner_of(scroll: Any) -> str:
    """The panel or screen class a scroll view belongs to (StepPanel, SummaryScreen, ...)."""
    p = scroll.parent
    while p is not None and p.parent is not p:
        name = type(p).__name__
        if name.endswith(("Panel", "Screen")):
            return name
        p = p.parent
    return ""


def _bar_of(w: Any) -> str:
    """The window's status or prompt bar holding ``w`` ("" for anything else)."""
    while w is not None and w.parent is not w:
        if type(w).__name__ in ("StatusBar", "PromptBar"):
            return type(w).__name__
        w = w.parent
    return ""
