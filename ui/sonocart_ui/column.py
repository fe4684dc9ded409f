"""The live column's step body beside the image: pages of short whole items (viewmodels/column.py), never
a line cut by its edge. Page 1 starts with the most important item; a "+N more · tap · 1 of 3" row at the
body's top says what is not shown and which page this is; a tap anywhere on the body (not on one of its
buttons) shows the next page, and after the last the first. The body is the touch target, at least one
target high (83 px at a 7-inch injection): a row of its own a target high would leave no room for any item."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.label import Label

from sonocart_ui import theme as th
from sonocart_ui.viewmodels.column import ColumnItem, column_items, cue_texts, pages
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


class ColumnPages:
    """Pages of whole items in a step panel's body (the live screen's, ``whole``): one page at a time.

    Kept apart from the panel's class (it stays a StepPanel: the same widget, ids and texts on every
    screen; ``step_text`` and ``detail`` stay the step's whole texts, only its labels show the page)."""

    def __init__(self, panel: StepPanel) -> None:
        self.panel = panel
        self.items: list[ColumnItem] = []
        self.page_ranges: list[range] = [range(0)]
        self.page = 0
        #: The first item of the page shown (its kind and place among its kind): the page that holds it
        #: is shown again when the items change under it (a toast gone, a timer's digits), so that no
        #: item is skipped by a tap.
        self._anchor: tuple[str, int] | None = None
        self._step: object = None
        self._heights: dict[tuple[object, ...], float] = {}
        panel.whole = True
        ids = panel.ids
        body = ids.body
        self.more_row = _label(bold=True, color=th.TEXT_DIM)  # the body's first row when it pages
        self.feedback = _label(bold=True)  # the last action's feedback
        self.acknowledged = _label(bold=True)  # "acknowledged: ...", after the dose facts
        self._probe = Label()  # lays out an item at the body's width, never drawn
        top = len(body.children)
        body.add_widget(self.more_row, index=top)
        body.add_widget(self.feedback, index=top)
        # the facts (detail) before the instruction: the kv rule has them the other way round
        detail, text = ids.detail, ids.step_text
        body.remove_widget(detail)
        body.add_widget(detail, index=body.children.index(text) + 1)
        body.add_widget(self.acknowledged, index=body.children.index(text) + 1)
        relayout = Clock.create_trigger(lambda _dt: self.lay_out())
        ids.scroll.bind(size=relayout)
        ids.actions.bind(minimum_height=relayout, children=relayout)
        # the texts: laid out at once (after the kv rule put the whole text in the label)
        panel.bind(step_text=self._now, detail=self._now, held=self._now, held_fits=self._now)
        panel.bind(toast=self._new_feedback, toast_colour=relayout)
        panel.bind(on_touch_down=self._touch_down, on_touch_up=self._touch_up)

    def _now(self, *_: object) -> None:
        self.lay_out()

    def _new_feedback(self, *_: object) -> None:
        if self.panel.toast:
            self.page, self._anchor = 0, None  # new feedback: the first page again, which starts with it
        self.lay_out()

    # -- measuring and paging -------------------------------------------------------------------------
    def _height(self, item: ColumnItem) -> float:
        """``item``'s whole height in the body, with its gap, laid out at the body's width."""
        if item.kind == "buttons":
            return float(self.panel.ids.actions.minimum_height) + float(self.panel.item_gap)
        style = {
            "fact": self.panel.ids.detail,
            "clause": self.panel.ids.step_text,
            "held": self.panel.ids.held_body,
        }.get(item.kind, self.feedback)
        return self._measure(item.text, style) + float(self.panel.item_gap)

    def _measure(self, text: str, style: Label) -> float:
        """``text``'s height in ``style``'s font at the body's width (kept: the column is laid out 4 times a
        second, and a text is rendered again only when it, its font or the width changed)."""
        key = (
            text,
            float(style.font_size),
            bool(style.bold),
            tuple(style.padding),
            float(self.panel.ids.body.width),
        )
        known = self._heights.get(key)
        if known is not None:
            return known
        probe = self._probe
        probe.font_size, probe.bold, probe.padding = style.font_size, style.bold, style.padding
        probe.text, probe.text_size = text, (self.panel.ids.body.width, None)
        probe.texture_update()
        if len(self._heights) > MEASURED_MAX:
            self._heights.clear()
        self._heights[key] = height = float(probe.texture_size[1])
        return height

    def lay_out(self) -> None:
        """Cut the texts into items, split them into pages at the body's height and show this page."""
        p = self.panel
        if getattr(p, "_step_id", None) != self._step:  # a new step: its first page
            self._step, self.page, self._anchor = getattr(p, "_step_id", None), 0, None
        grid = p.ids.actions
        held = p.held if (p.held and p.held_here and not p.held_fits) else ""
        # step_text and detail stay the step's whole texts (as on every step panel); its labels show the page
        items = column_items(p.step_text, p.detail, p.toast, held, len(grid.children))
        heights = [self._height(it) for it in items]
        room = float(self.panel.ids.scroll.height)
        worst = cue_texts(items, range(0), len(items) - 1, len(items)) if len(items) > 1 else []
        cue = self._cue(worst)
        cue_h = self._measure(cue, self.more_row) if cue else 0.0
        # the last item's gap is empty room (half of it under its text): it may pass the body's edge
        ranges = pages(heights, room + float(self.panel.item_gap) / 2, cue_h)
        self.items, self.page_ranges = items, ranges
        self.page = self._anchored(items, ranges)
        shown = ranges[self.page]
        on = [items[i] for i in shown]
        self._anchor = _anchor_of(items, shown.start) if on else None
        slack = room + float(p.item_gap) / 2 + 0.5
        # one item that fits the body alone but not under the row: whole, the row left out on its page
        # (the body's tap still pages on): "STOP: RN Ben states" without its side would read as whole
        alone = (
            len(ranges) > 1 and len(on) == 1 and heights[shown.start] <= slack < heights[shown.start] + cue_h
        )
        words = [] if alone else cue_texts(items, shown, self.page, len(ranges))
        self._set(self.more_row, self._cue(words[words.index(cue) :] if cue in words else words))
        self._set(self.feedback, next((it.text for it in on if it.kind == "toast"), ""))
        self._set(self.acknowledged, next((it.text for it in on if it.kind == "acknowledged"), ""))
        self.feedback.color = self.acknowledged.color = self.panel.toast_colour
        self.panel.ids.detail.text = "\n".join(it.text for it in on if it.kind == "fact")
        self.panel.ids.step_text.text = " ".join(it.text for it in on if it.kind == "clause")
        self.panel.grid_shown = any(it.kind == "buttons" for it in on)
        # a page of one item taller than the body scrolls (from its top); every other page fits whole
        scroll = self.panel.ids.scroll
        scroll.do_scroll_y = len(on) == 1 and not alone and heights[shown.start] + cue_h > slack
        scroll.scroll_y = 1

    def _cue(self, words: list[str]) -> str:
        """The longest of the row's words that fits its lines at the body's width (else the shortest):
        one line in a body under three touch targets high (83-123 px at 7 inches: the row and one item),
        two in a taller one (the whole "+N more · tap · k of n")."""
        from kivy.app import App

        lines = 1 if self.panel.ids.scroll.height < 3 * App.get_running_app().theme.target else 2
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
        gap = 0 if label is self.more_row else self.panel.item_gap  # the row: one line, the page under it
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
        p = self.panel
        if len(self.page_ranges) < 2 or p.opacity == 0 or not p.ids.scroll.collide_point(*touch.pos):
            return False
        wx, wy = p.to_window(*touch.pos)
        buttons = p.ids.actions.children if p.grid_shown else []
        return not any(b.collide_point(*b.to_widget(wx, wy)) for b in buttons)

    def _touch_down(self, _panel: object, touch: Any) -> bool:
        if self._on_body(touch):
            touch.ud[self._tap_key] = touch.pos
        return False  # the panel goes on as usual (its scroll view, its buttons)

    def _touch_up(self, _panel: object, touch: Any) -> bool:
        start = touch.ud.pop(self._tap_key, None)
        if start is not None and abs(touch.pos[0] - start[0]) + abs(touch.pos[1] - start[1]) < TAP_SLOP_PX:
            # once the panel (its scroll view) has had this touch: a page that scrolls starts at its top
            Clock.schedule_once(lambda _dt: self.next_page(), 0)
        return False

    @property
    def _tap_key(self) -> str:
        return f"column-page-{id(self)}"
