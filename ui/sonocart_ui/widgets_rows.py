"""Scroll windows that cut no row (issue 14: nothing cut): where a window over a list shows it from, and the
room it gives up at its bottom, so that neither of its edges runs through a line, button, field or image,
at rest at its top and after any scroll, once the scroll has stopped (never under a finger)."""

from __future__ import annotations

from collections.abc import Callable

from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from sonocart_ui.widgets_place import SLACK, Row, window_place


class MoreBelow(Label):  # type: ignore[misc]
    """The room a scroll window gives up at its bottom (``room``, WholeRows): when a line fits in it and
    the list goes on below the window (``more``), it says so (the bar beside says so too, smaller)."""

    room = NumericProperty(0)
    more = BooleanProperty(True)


def to_top(scroll: ScrollView) -> None:
    """``scroll``'s content shown from its top, at rest. ``scroll_y`` set alone is taken back: the scroll
    effect still holds the place it was at (and a fling's velocity), and springs the body back to it over
    the next frames (up to 140 px at 800x480 on a new step); so the effect is stopped at the top too,
    unless a finger holds it."""
    show_at(scroll, 1.0)


def show_at(scroll: ScrollView, scroll_y: float) -> None:
    """``scroll`` at ``scroll_y``, at rest, its scroll effect held there too (see to_top), unless a finger
    holds it."""
    scroll.scroll_y = scroll_y
    effect = scroll.effect_y
    if effect is not None and not effect.is_manual:
        effect.velocity = 0
        effect.reset(effect.max * scroll_y)  # the value that is this scroll_y (_update_effect_y_bounds)


class WholeRows:
    """Keeps ``scroll``'s window over ``body`` clear of rows: ``owner.snap`` (px under ``scroll``: its
    slot's room it gives up at its bottom) and, after a scroll, where it shows ``body`` from (window_place).
    Set after the frame's layout, only when the scroll is at rest (no finger on it, no fling: the effect's
    velocity is 0), and only when either moves by more than a pixel (a snap set each time from the
    layout's float share would set that layout off again, every frame). ``active`` False (the live
    column, which pages instead): no room given up, the window left where it is."""

    def __init__(
        self, owner: Widget, scroll: ScrollView, body: Widget, active: Callable[[], bool] = lambda: True
    ) -> None:
        from kivy.clock import Clock

        self.owner, self.scroll, self.body, self.active = owner, scroll, body, active
        self.later = Clock.create_trigger(lambda _dt: self._snap(), 0)
        scroll.bind(height=self.later, scroll_y=self.later)
        scroll.fbind("on_scroll_stop", self._stopped)
        body.bind(height=self.later, width=self.later)
        if scroll.effect_y is not None:  # a fling's end: its velocity back to 0; a finger lifted
            scroll.effect_y.bind(velocity=self.later, is_manual=self.later)

    def _stopped(self, *_: object) -> None:
        """A touch on the window ended (it returns nothing: the scroll view handles the touch itself)."""
        self.later()

    def _snap(self) -> None:
        scroll, effect = self.scroll, self.scroll.effect_y
        moving = effect is not None and (effect.is_manual or effect.velocity != 0)
        if moving or scroll._touch is not None:  # under a finger or still moving: again once it stops
            return
        room = float(scroll.height) + float(self.owner.snap)
        height = float(self.body.height)
        if not self.active():
            self._set_snap(0.0, True)
            return
        scrollable = max(height - float(scroll.height), 0.0)
        offset = (1.0 - min(max(float(scroll.scroll_y), 0.0), 1.0)) * scrollable
        place, snap = window_place(content_rows(self.body), height, room, offset, float(scroll.height))
        self._set_snap(snap, place + room - snap < height - SLACK)
        if abs(place - offset) > SLACK:
            shown = room - float(self.owner.snap)
            show_at(scroll, 1.0 - place / (height - shown) if height - shown > SLACK else 1.0)

    def _set_snap(self, snap: float, more: bool) -> None:
        if abs(snap - float(self.owner.snap)) > SLACK:
            self.owner.snap = snap
        parent = self.scroll.parent
        for w in [] if parent is None else parent.children:  # its MoreBelow, beside it: "more below"
            if isinstance(w, MoreBelow):  # only while the list goes on below the window
                w.more = more


def content_rows(body: Widget) -> list[Row]:
    """The rows of ``body`` (a scroll view's content) a window's edge must not run through, px below its
    top: each line of text, each button, field and image (these whole or not at all)."""
    from kivy.uix.button import Button
    from kivy.uix.image import Image
    from kivy.uix.textinput import TextInput

    top = body.to_window(body.x, body.top)[1]
    rows: list[Row] = []
    for w in body.walk(restrict=True):
        if isinstance(w, Image | TextInput) and w.opacity > 0 and w.height > 0:  # whole or not at all
            y0 = top - w.to_window(w.x, w.top)[1]
            rows.append((y0, y0 + float(w.height)))
            continue
        if not isinstance(w, Label) or not w.text.strip() or w.opacity == 0 or w.height <= 0:
            continue
        y0 = top - w.to_window(w.x, w.top)[1]
        if isinstance(w, Button):
            rows.append((y0, y0 + float(w.height)))
            continue
        line_top = y0 + (float(w.height) - float(w.texture_size[1])) / 2 + float(w.padding[1])
        for line in w._label._cached_lines if w._label is not None else []:
            rows.append((line_top, line_top + float(line.h)))
            line_top += float(line.h)
    return rows
