"""The live column's step body beside the image: pages of short whole items (viewmodels/column.py), never
a line cut by its edge. Page 1 starts with the most important item; a "+N more · tap · 1 of 3" row at the
body's top says what is not shown and which page this is; a tap anywhere on the body (not on one of its
buttons) shows the next page, and after the last the first. The body is the touch target, at least one
target high (79 px at a 7-inch injection): a row of its own a target high would leave no room for any item."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.label import Label

from sonocart_ui import theme as th
from sonocart_ui.viewmodels.column import ColumnItem, column_items, cue_texts, pages
from sonocart_ui.viewmodels.step_form import StepView
from sonocart_ui.widgets import StepPanel

#: A touch that moves farther than this (px) is a scroll of a page taller than the body, not a tap.
TAP_SLOP_PX = 20.0
#: Measured heights kept (a timer's text changes every second: the oldest are dropped all at once).
MEASURED_MAX = 256


def _label(**kwargs: Any) -> Label:
    """One of the body's own texts: wrapped at the body's width, 0 high until shown."""
    label = Label(size_hint_y=None, height=0, opacity=0, halign="left", **kwargs)
    label.bind(width=lambda w, width: setattr(w, "text_size", (width, None)))
    return label


def _anchor_of(items: list[ColumnItem], i: int) -> tuple[str, int]:
    """Item ``i``'s kind and its place among the items of that kind."""
    kind = items[i].kind
    return kind, sum(1 for it in items[:i] if it.kind == kind)


class ColumnPanel(StepPanel):  # type: ignore[misc]
    """The step panel of the live screen's column: its body shows one page of whole items at a time."""

    def __init__(self, **kwargs: object) -> None:
        self.items: list[ColumnItem] = []
        self.page_ranges: list[range] = [range(0)]
        self.page = 0
        #: The first item of the page shown (its kind and place among its kind): the page that holds it
        #: is shown again when the items change under it (a toast gone, a timer's digits), so that no
        #: item is skipped by a tap.
        self._anchor: tuple[str, int] | None = None
        self._text = self._detail = ""
        self._heights: dict[tuple[object, ...], float] = {}
        super().__init__(**kwargs)

    def on_kv_post(self, base: object) -> None:
        super().on_kv_post(base)
        self.whole = True
        body = self.ids.body
        self.more_row = _label(bold=True, color=th.TEXT_DIM)  # the body's first row when it pages
        self.feedback = _label(bold=True)  # the last action's feedback
        self.acknowledged = _label(bold=True)  # "acknowledged: ...", after the dose facts
        self._probe = Label()  # lays out an item at the body's width, never drawn
        top = len(body.children)
        body.add_widget(self.more_row, index=top)
        body.add_widget(self.feedback, index=top)
        # the facts (detail) before the instruction: the kv rule has them the other way round
        detail, text = self.ids.detail, self.ids.step_text
        body.remove_widget(detail)
        body.add_widget(detail, index=body.children.index(text) + 1)
        body.add_widget(self.acknowledged, index=body.children.index(text) + 1)
        self._relayout = Clock.create_trigger(lambda _dt: self.lay_out())
        self.ids.scroll.bind(size=self._relayout)
        self.ids.actions.bind(minimum_height=self._relayout)
        self.bind(toast=self._new_feedback, toast_colour=self._relayout)

    def _new_feedback(self, *_: object) -> None:
        if self.toast:
            self.page, self._anchor = 0, None  # new feedback: the first page again, which starts with it
        self.lay_out()

    def show(self, view: object) -> None:
        new_step = isinstance(view, StepView) and view.step_id != getattr(self, "_step_id", None)
        super().show(view)
        if new_step:
            self.page, self._anchor = 0, None
        self.lay_out()

    def show_texts(self, view: StepView) -> None:
        self._text = view.text or "No step: the procedure is complete or not started."
        self._detail = view.detail

    # -- measuring and paging -------------------------------------------------------------------------
    def _height(self, item: ColumnItem) -> float:
        """``item``'s whole height in the body, with its gap, laid out at the body's width."""
        if item.kind == "buttons":
            return float(self.ids.actions.minimum_height) + float(self.item_gap)
        style = {
            "fact": self.ids.detail,
            "clause": self.ids.step_text,
            "held": self.ids.held_body,
        }.get(item.kind, self.feedback)
        return self._measure(item.text, style) + float(self.item_gap)

    def _measure(self, text: str, style: Label) -> float:
        """``text``'s height in ``style``'s font at the body's width (kept: the column is laid out 4 times a
        second, and a text is rendered again only when it, its font or the width changed)."""
        key = (
            text,
            float(style.font_size),
            bool(style.bold),
            tuple(style.padding),
            float(self.ids.body.width),
        )
        known = self._heights.get(key)
        if known is not None:
            return known
        probe = self._probe
        probe.font_size, probe.bold, probe.padding = style.font_size, style.bold, style.padding
        probe.text, probe.text_size = text, (self.ids.body.width, None)
        probe.texture_update()
        if len(self._heights) > MEASURED_MAX:
            self._heights.clear()
        self._heights[key] = height = float(probe.texture_size[1])
        return height

    def lay_out(self) -> None:
        """Cut the texts into items, split them into pages at the body's height and show this page."""
        grid = self.ids.actions
        held = self.held if (self.held and self.held_here and not self.held_fits) else ""
        items = column_items(self._text, self._detail, self.toast, held, len(grid.children))
        heights = [self._height(it) for it in items]
        room = float(self.ids.scroll.height)
        worst = cue_texts(items, range(0), len(items) - 1, len(items)) if len(items) > 1 else []
        cue = self._cue(worst)
        cue_h = self._measure(cue, self.more_row) if cue else 0.0
        # the last item's gap is empty room (half of it under its text): it may pass the body's edge
        ranges = pages(heights, room + float(self.item_gap) / 2, cue_h)
        self.items, self.page_ranges = items, ranges
        self.page = self._anchored(items, ranges)
        shown = ranges[self.page]
        on = [items[i] for i in shown]
        self._anchor = _anchor_of(items, shown.start) if on else None
        words = cue_texts(items, shown, self.page, len(ranges))
        self._set(self.more_row, self._cue(words[words.index(cue) :] if cue in words else words))
        self._set(self.feedback, next((it.text for it in on if it.kind == "toast"), ""))
        self._set(self.acknowledged, next((it.text for it in on if it.kind == "acknowledged"), ""))
        self.feedback.color = self.acknowledged.color = self.toast_colour
        self.detail = "\n".join(it.text for it in on if it.kind == "fact")
        self.step_text = " ".join(it.text for it in on if it.kind == "clause")
        self.grid_shown = any(it.kind == "buttons" for it in on)
        # a page of one item taller than the body scrolls (from its top); every other page fits whole
        scroll = self.ids.scroll
        scroll.do_scroll_y = (
            len(on) == 1 and heights[shown.start] + cue_h > room + float(self.item_gap) / 2 + 0.5
        )
        scroll.scroll_y = 1

    def _cue(self, words: list[str]) -> str:
        """The longest of the row's words that fits its lines at the body's width (else the shortest):
        one line in a body under three touch targets high (79-123 px at 7 inches: the row and one item),
        two in a taller one (the whole "+N more · tap · k of n")."""
        from kivy.app import App

        lines = 1 if self.ids.scroll.height < 3 * App.get_running_app().theme.target else 2
        line = self._measure("0", self.more_row)
        return next(
            (w for w in words if self._measure(w, self.more_row) <= lines * line + 0.5),
            words[-1] if words else "",
        )

    def _anchored(self, items: list[ColumnItem], ranges: list[range]) -> int:
        """The page shown now: the one holding the anchored item, else the page asked for (or the first)."""
        if self._anchor is not None:
            for i in range(len(items)):
                if _anchor_of(items, i) == self._anchor:
                    return next(p for p, r in enumerate(ranges) if i in r)
        return self.page if self.page < len(ranges) else 0

    def _set(self, label: Label, text: str) -> None:
        label.text = text
        if text:
            label.texture_update()
        gap = 0 if label is self.more_row else self.item_gap  # the row: one line, the page under it
        label.height = label.texture_size[1] + gap if text else 0
        label.opacity = 1 if text else 0

    def next_page(self) -> None:
        """The body's tap: the next page of whole items, after the last the first."""
        self.page = (self.page + 1) % max(1, len(self.page_ranges))
        self._anchor = None
        self.lay_out()

    # -- the body's tap -------------------------------------------------------------------------------
    def _on_body(self, touch: Any) -> bool:
        """The touch is on the body's window, not on one of its buttons, while it has pages."""
        scroll = self.ids.scroll
        if len(self.page_ranges) < 2 or not scroll.collide_point(*touch.pos):
            return False
        wx, wy = self.to_window(*touch.pos)
        buttons = self.ids.actions.children if self.grid_shown else []
        return not any(b.collide_point(*b.to_widget(wx, wy)) for b in buttons)

    def on_touch_down(self, touch: Any) -> bool:
        if self._on_body(touch):
            touch.ud[self._tap_key] = touch.pos
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        start = touch.ud.pop(self._tap_key, None)
        handled = bool(super().on_touch_up(touch))
        if start is not None and abs(touch.pos[0] - start[0]) + abs(touch.pos[1] - start[1]) < TAP_SLOP_PX:
            self.next_page()
            return True
        return handled

    @property
    def _tap_key(self) -> str:
        return f"column-page-{id(self)}"
