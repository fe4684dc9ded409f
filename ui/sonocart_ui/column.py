"""The live column's step body beside the image: pages of short whole items (viewmodels/column.py), never
a line cut by its edge. Page 1 starts with the most important item; a "+N more · tap · 1 of 3" row at the
body's top says what is not shown and which page this is, where it fits; on a page without that row the
step's header says which page ("Injection · page 2 of 3", viewmodels/column.header_notes), else the
step's progress: one "k of n" a page. At 7 inches in a phase of one step (the injection) the header alone
says which page, on one line ("page 2 of 11"), and there is no row (_counts_alone). A tap on the header,
or anywhere on the body (not on one of its buttons), shows the next page, and after the last the first:
the header and the body beside the buttons are the page's tap, one band a touch target high on every page
(round 14; the header was a target high of its own before, 63 of the 7-inch column's 137 px): a page
holds no more rows of buttons than leave it so (viewmodels/column.pages' ``most_buttons``), and its
buttons sit at the body's foot (_fill). The step's buttons are one item when the whole grid fits the
body, else one item a row (button_rows), so that no page of buttons scrolls: at a 7-inch injection no
label fits half the 155 px body on one line, so [- 1 mL], [+ 1 mL], [Test dose], [New needle] are a
page each, 63 px at the foot of a 114 px body under a 27 px header (the tap: 78 px above the button)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from sonocart_ui import theme as th
from sonocart_ui.action_grid import ActionGrid
from sonocart_ui.viewmodels.column import (
    CUTTABLE,
    WIDEST_LOOSE_MARK,
    ColumnItem,
    button_rows,
    column_items,
    cue_texts,
    cut_grid,
    cut_tall,
    header_notes,
    pages,
    part_ends,
    words_of,
)
from sonocart_ui.widgets import StepPanel, to_top

#: A touch that moves farther than this (px) is a scroll of a page taller than the body, not a tap.
TAP_SLOP_PX = 20.0
#: Measured heights kept (a timer's text changes every second: the oldest are dropped all at once).
MEASURED_MAX = 256


def _label(**kwargs: Any) -> Label:
    """One of the body's own texts: wrapped at the body's width, 0 high until shown."""
    label = Label(size_hint_y=None, height=0, opacity=0, halign="left", **kwargs)
    label.bind(width=lambda w, width: setattr(w, "text_size", (width, None)))
    return label


def _title(phase: str, note: str) -> str:
    """The header's words, as StepPanel._title puts them: the phase, then its note if any."""
    return f"{phase} · {note}" if phase and note else phase or note


#: Where an item comes from: its kind, its text's place among the texts of that kind, which part of it.
Origin = tuple[str, int, int]


def _origins(items: list[ColumnItem]) -> list[tuple[str, int]]:
    """Each item's kind and its place among the items of that kind."""
    seen: dict[str, int] = {}
    out = []
    for it in items:
        out.append((it.kind, seen.get(it.kind, 0)))
        seen[it.kind] = seen.get(it.kind, 0) + 1
    return out


class ColumnPages:
    """Pages of whole items in a step panel's body (the live screen's, ``whole``): one page at a time.

    Kept apart from the panel's class (it stays a StepPanel: the same widget, ids and texts on every
    screen; ``step_text`` and ``detail`` stay the step's whole texts, only its labels show the page)."""

    def __init__(self, panel: StepPanel) -> None:
        self.panel = panel
        self.items: list[ColumnItem] = []
        self.page_ranges: list[range] = [range(0)]
        self.page = 0
        #: The first item of the page shown (its Origin): the page that holds it
        #: is shown again when the items change under it (a toast gone, a timer's digits), so that no
        #: item is skipped by a tap.
        self._anchor: Origin | None = None
        self._origins: list[Origin] = []
        self._step: object = None
        self._laid: dict[tuple[object, ...], tuple[float, list[str]]] = {}
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
        #: the room a page with buttons leaves, above them (_fill): the page's tap band stays one piece
        self.filler = Widget(size_hint_y=None, height=0)
        self._fill_on = False
        body.add_widget(self.filler, index=body.children.index(ids.actions) + 1)
        fill = Clock.create_trigger(self._fill)
        for child in body.children:
            if child is not self.filler:
                child.bind(height=fill)
        ids.scroll.bind(height=fill)
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
    def _style(self, item: ColumnItem) -> Label:
        return {  # type: ignore[no-any-return]
            "fact": self.panel.ids.detail,
            "clause": self.panel.ids.step_text,
            "held": self.panel.ids.held_body,
        }.get(item.kind, self.feedback)

    def _height(self, item: ColumnItem) -> float:
        """``item``'s whole height in the body, with its gap, laid out at the body's width."""
        if item.kind == "buttons":  # the whole grid in its columns, or one row of it (and the gap under it)
            grid: ActionGrid = self.panel.ids.actions
            if item.row:
                return grid.rows_height([item.row]) + float(grid.spacing[1])
            return grid.rows_height(grid.grid_rows()) + float(self.panel.item_gap)
        return self._measure(item.text, self._style(item)) + float(self.panel.item_gap)

    def _key(self, text: str, style: Label) -> tuple[object, ...]:
        body = float(self.panel.ids.body.width)
        return (text, float(style.font_size), bool(style.bold), tuple(style.padding), body)

    def _probe_as(self, style: Label) -> Label:
        probe = self._probe
        probe.font_size, probe.bold, probe.padding = style.font_size, style.bold, style.padding
        return probe

    def _measure(self, text: str, style: Label) -> float:
        """``text``'s height in ``style``'s font at the body's width."""
        return self._laid_out(text, style)[0]

    def _lines(self, text: str, style: Label) -> list[str]:
        """The lines Kivy lays ``text`` out in, in ``style``'s font at the body's width."""
        return self._laid_out(text, style)[1]

    def _laid_out(self, text: str, style: Label) -> tuple[float, list[str]]:
        """``text`` laid out in ``style``'s font at the body's width: its height and its lines (kept: the
        column is laid out 4 times a second, and a text is rendered again only when it, its font or the
        width changed)."""
        key = self._key(text, style)
        known = self._laid.get(key)
        if known is not None:
            return known
        probe = self._probe_as(style)
        probe.text, probe.text_size = text, (self.panel.ids.body.width, None)
        probe.texture_update()
        lines = ["".join(w.text for w in line.words).strip() for line in probe._label._cached_lines]
        if len(self._laid) > MEASURED_MAX:
            self._laid.clear()
        self._laid[key] = laid = (float(probe.texture_size[1]), lines)
        return laid

    def _cut(
        self, items: list[ColumnItem], fits: float, most_buttons: float
    ) -> tuple[list[ColumnItem], list[Origin]]:
        """Each text taller than the body (``fits``: its height with the last gap's slack) in the fewest
        parts that each fit it whole, its mark included and no word broken by it: cut between words (each
        part as many as fit), marked " (k/n)" (viewmodels/column.cut_tall); a part too tall for the "more" row
        too is alone on its page, without it (the header says which page). A text no such parts hold stays
        whole (its page scrolls). The step's buttons, when the whole grid does not fit the body, one item a
        row (cut_grid): two neighbours on a row when both labels fit whole on one line in half of it, else
        one."""
        out: list[ColumnItem] = []
        origins: list[Origin] = []
        for item, (kind, place) in zip(items, _origins(items), strict=True):
            if item.kind == "buttons" and self._height(item) > min(fits, most_buttons + 0.5):
                grid = self.panel.ids.actions
                rows = cut_grid(item, button_rows([grid.one_line(i, 2) for i in range(item.count)]))
                out += rows
                origins += [(kind, place, k) for k in range(len(rows))]
                continue
            if item.kind not in CUTTABLE or self._height(item) <= fits:
                out.append(item)
                origins.append((kind, place, 0))
                continue
            style = self._style(item)
            words = words_of(item.text)

            def whole(text: str, style: Label = style, kind: str = item.kind) -> bool:
                return self._height(ColumnItem(kind, text)) <= fits and (
                    " ".join(self._lines(text, style)) == text  # the mark broke no word
                )

            # each part as many words as fit the body with its mark: the fewest parts (a part that fits
            # still fits without its first word, so taking the most each time never costs a part). Cut
            # after whole laid-out lines instead, a part lost a line whenever its mark did not fit after
            # its last one: a 10-inch held step's toast, 12 lines in a body of 3, was 6 parts of 2 lines
            # (5 now), and in a body of 2 one line a part
            ends = part_ends(words, whole)
            parts = cut_tall(item, words, ends)
            if len(parts) < 2:  # no word fits the body's width with the mark joined to it: the mark after
                # a plain space, on a line of its own where it must ("syringe A: no local anaesthetic, no
                # maximum", 4 lines in a 74 px body at 7 inches, scrolled whole before)
                parts = cut_tall(item, words, part_ends(words, whole, WIDEST_LOOSE_MARK), " ")
            if len(parts) > 1 and all(whole(p.text) for p in parts):
                out += parts
                origins += [(kind, place, k) for k in range(len(parts))]
            else:  # no such parts: whole (its page scrolls)
                out.append(item)
                origins.append((kind, place, 0))
        return out, origins

    def lay_out(self) -> None:
        """Cut the texts into items, split them into pages at the body's height and show this page."""
        p = self.panel
        if getattr(p, "_step_id", None) != self._step:  # a new step: its first page
            self._step, self.page, self._anchor = getattr(p, "_step_id", None), 0, None
        grid = p.ids.actions
        held = p.held if (p.held and p.held_here and not p.held_fits) else ""
        # step_text and detail stay the step's whole texts (as on every step panel); its labels show the page
        items = column_items(p.step_text, p.detail, p.toast, held, len(grid.buttons))
        room = float(self.panel.ids.scroll.height)
        most_buttons = self._most_buttons(room)
        items, self._origins = self._cut(items, room + float(p.item_gap) / 2 + 0.5, most_buttons)
        heights = [self._height(it) for it in items]
        # at 7 inches in a phase of one step the header alone says which page, on one line (_counts_alone):
        # no "more" row, its line goes to the items
        counts_alone = self._counts_alone()
        many = len(items) > 1 and not counts_alone
        worst = cue_texts(items, range(0), len(items) - 1, len(items)) if many else []
        cue = self._cue(worst)
        cue_h = self._measure(cue, self.more_row) if cue else 0.0
        # the last item's gap is empty room (half of it under its text): it may pass the body's edge
        # the page shown keeps its first item when the items change under it, and is filled after it
        start = self._anchored()
        rows = [it.kind == "buttons" for it in items]
        ranges = pages(heights, room + float(self.panel.item_gap) / 2, cue_h, start or 0, rows, most_buttons)
        if room < self._measure("0", self.panel.ids.step_text):  # no room for a line (the 7-inch frozen
            # review): no pages, so that the header is its text's height, not the pages' tap target
            ranges = [range(len(items))]
        self.items, self.page_ranges = items, ranges
        if start is not None:
            self.page = next(k for k, r in enumerate(ranges) if start in r)
        elif self.page >= len(ranges):
            self.page = 0
        shown = ranges[self.page]
        on = [items[i] for i in shown]
        self._anchor = self._origins[shown.start] if on else None
        slack = room + float(p.item_gap) / 2 + 0.5
        # one item that fits the body alone but not under the row: whole, the row left out on its page
        # (the body's tap still pages on): "STOP: RN Ben states" without its side would read as whole
        alone = (
            len(ranges) > 1 and len(on) == 1 and heights[shown.start] <= slack < heights[shown.start] + cue_h
        )
        words = [] if alone or counts_alone else cue_texts(items, shown, self.page, len(ranges))
        self._set(self.more_row, self._cue(words[words.index(cue) :] if cue in words else words))
        # one "k of n" a page: the row's when it shows, else the header's; the header the tap on every page
        of, counted = len(ranges), bool(self.more_row.text)
        p.count_alone = counts_alone and of > 1
        p.page_note = self._note(header_notes(p.progress, self.page, of, counted)) if of > 1 else ""
        p.header_min = self._header_min(of)
        self._set(self.feedback, next((it.text for it in on if it.kind == "toast"), ""))
        self._set(self.acknowledged, next((it.text for it in on if it.kind == "acknowledged"), ""))
        self.feedback.color = self.acknowledged.color = self.panel.toast_colour
        self.panel.ids.detail.text = "\n".join(it.text for it in on if it.kind == "fact")
        self.panel.ids.step_text.text = " ".join(it.text for it in on if it.kind == "clause")
        self.panel.grid_shown = any(it.kind == "buttons" for it in on)
        # the grid: all its buttons in its columns when it is one item, else only this page's rows
        cut = not any(it.kind == "buttons" and not it.row for it in items)
        grid.show_rows([it.row for it in on if it.kind == "buttons"] if cut else None)
        # a page of buttons among pages: its buttons at the body's foot, the room above them the page's tap
        self._fill_on = len(ranges) > 1 and p.grid_shown
        self._fill()
        # every page fits whole (a text taller than the body is in parts, the step's buttons in rows); only
        # one item alone that cannot be cut (a word wider than the body, a button's label taller than it) and
        # is taller than the body scrolls, from its top
        scroll = self.panel.ids.scroll
        scroll.do_scroll_y = len(on) == 1 and not alone and heights[shown.start] + cue_h > slack
        to_top(scroll)

    def _cue(self, words: list[str]) -> str:
        """The longest of the row's words that fits its lines at the body's width (else the shortest):
        one line in a body under three touch targets high (83-123 px at 7 inches: the row and one item),
        two in a taller one (the whole "+N more · tap · k of n")."""
        lines, line = self._row_lines()
        return next(
            (w for w in words if self._measure(w, self.more_row) <= lines * line + 0.5),
            words[-1] if words else "",
        )

    def _counts_alone(self) -> bool:
        """Whether the header says which page alone, without the phase, while the body pages: at 7 inches in
        a phase of one step (the injection; "" progress), where the phase and which page take two lines of
        the 155 px column ("Injection ·", "page 2 of 9") and the "more" row would take a third. The phase
        names the step, which the strip beside it names too ("Finish injection", "Log 4 mL"). Round 14:
        the 7-inch injection's items 83 px a page under a 54 px header, two-line facts one a page; 114 px
        under a 27 px one, two a page (the lead's review: issue 14)."""
        from kivy.app import App

        return bool(App.get_running_app().theme.compact) and not self.panel.progress

    def _note(self, notes: list[str], phase: str | None = None) -> str:
        """The longest of the header's notes (header_notes) with which the whole header takes no more lines
        at the body's width than its shortest form does: every line the header takes is a line the body
        loses ("Injection · page 2 of 7", one line at 7 inches, not "... · tap here" on three)."""
        if phase is None:
            phase = "" if self.panel.count_alone else getattr(self.panel, "_phase", "")
        style = self.panel.ids.phase_title
        heights = [self._measure(_title(phase, n), style) for n in notes]
        return next(n for n, h in zip(notes, heights, strict=True) if h <= min(heights) + 0.5)

    def _most_buttons(self, room: float) -> float:
        """The most height a page's rows of buttons may take: the header and the body (``room``) less one
        touch target, the page's tap (the header, the "more" row and the body's room above the buttons,
        which sit at its foot: _fill). Their sum does not change with the header's form."""
        from kivy.app import App

        target = float(App.get_running_app().theme.target)
        return float(self.panel.ids.phase_title.height) + room - target

    def _fill(self, *_: object) -> None:
        """On a page with buttons while the body has pages, the room the page leaves, above its buttons (so
        that the page's tap, the header and the body above the buttons, is one band a target high), less
        one grid spacing under them; else nothing."""
        body, filler, grid = self.panel.ids.body, self.filler, self.panel.ids.actions
        others = sum(float(c.height) for c in body.children if c is not filler)
        # the grid's own spacing left under its last row (pages counted it with the row): the step's buttons
        # one gap and the column's spacing above the strip, not as close as the strip's own buttons
        under = float(grid.spacing[1]) if isinstance(grid.spacing, list | tuple) else float(grid.spacing)
        room = float(self.panel.ids.scroll.height) - under
        want = max(0.0, room - others) if self._fill_on else 0.0
        if abs(float(filler.height) - want) > 0.25:
            filler.height = want

    def _header_min(self, of: int) -> float:
        """The header's height while the body has pages (0 while it has none): its taller form's, the
        progress's or which page's, so that the body's edge stays where it is whether or not this page's
        row says which page (the header then says the progress). Not a touch target high of its own (round
        13: 63 px of the 7-inch column's 137): the page's tap is the header and the body beside its buttons
        together, a target high on every page (pages' ``most_buttons``)."""
        if of <= 1:
            return 0.0
        phase, style = getattr(self.panel, "_phase", ""), self.panel.ids.phase_title
        progress = self.panel.progress
        if self.panel.count_alone:  # which page alone, on every page: as tall as its tallest number's
            alone = [self._note(header_notes(progress, k, of), "") for k in {self.page, of - 1}]
            return max(self._measure(n, style) for n in alone)
        forms = (progress, self._note(header_notes(progress, self.page, of)))
        return max(self._measure(_title(phase, n), style) for n in forms)

    def _row_lines(self) -> tuple[int, float]:
        """How many lines the "more" row may take (_cue), and one line's height."""
        from kivy.app import App

        lines = 1 if self.panel.ids.scroll.height < 3 * App.get_running_app().theme.target else 2
        return lines, self._measure("0", self.more_row)

    def _anchored(self) -> int | None:
        """The place now of the page shown's first item (or, cut in other parts now, its text's first
        part's), else None."""
        if self._anchor is not None:
            for anchor in (self._anchor, (*self._anchor[:2], 0)):
                if anchor in self._origins:
                    return self._origins.index(anchor)
        return None

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
        shown = self.page_ranges[self.page] if self.page < len(self.page_ranges) else range(0)
        # its first item anchored (as these pages cut it), what follows it as much as fits
        self._anchor = self._origins[shown.start] if shown and shown.start < len(self._origins) else None
        self.lay_out()

    # -- the body's tap -------------------------------------------------------------------------------
    def _on_body(self, touch: Any) -> bool:
        """The touch is on the header (a target high while the body has pages, widgets.kv) or on the body's
        window, not on one of its buttons, while it has pages."""
        p = self.panel
        if len(self.page_ranges) < 2 or p.opacity == 0:
            return False
        if p.ids.phase_title.collide_point(*touch.pos):  # the header: no button there
            return True
        if not p.ids.scroll.collide_point(*touch.pos):
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
