"""Shared widgets sized in millimetres (see theme.py): big buttons, an action grid, the frame bars."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from sonocart_ui.theme import ALARM_HIGH, PANEL
from sonocart_ui.viewmodels import keypad as kp
from sonocart_ui.viewmodels.alarm_style import style_of
from sonocart_ui.viewmodels.step_form import Action

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
Builder.load_file(str(Path(__file__).with_name("widgets_bars.kv")))  # the frame's bars


class BigButton(Button):  # type: ignore[misc]
    """A touch target at least 12 mm each way; ``selected`` shows as a filled box AND a [X] mark."""

    selected = BooleanProperty(False)
    primary = BooleanProperty(False)
    danger = BooleanProperty(False)  # an unsafe answer (blood on aspiration): red, never like a safe one
    unsafe = BooleanProperty(False)  # an unsafe state chosen (NOT HELD): yellow with [!], never green [X]
    key = StringProperty("")


class ActionGrid(GridLayout):  # type: ignore[misc]
    """Buttons for a tuple of actions; rebuilt only when the actions change (text re-rendering is costly).

    ``buttons`` holds them all, in the actions' order. The grid shows them all in its columns, or (the
    live column's pages, show_rows) only some rows of them, each row's buttons side by side in equal
    shares of its width: ``children`` are the buttons shown, ``button(key)`` finds any of them."""

    min_button_mm = NumericProperty(36.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: Sequence[Action] = ()
        self.buttons: list[BigButton] = []
        #: the rows shown (places in ``buttons``), top first; None: every button in the grid's columns
        self._page_rows: tuple[tuple[int, ...], ...] | None = None
        self._heights: dict[tuple[int, float], float] = {}  # a button's height at a width (rows_height)
        self._widths: dict[int, float] = {}  # a button's label on one line (one_line)
        self.on_action: Callable[[str], None] | None = None
        self.bind(width=lambda *_: self._columns())

    def _columns(self) -> None:
        from kivy.app import App

        theme = App.get_running_app().theme
        cols = max(1, int(self.width // max(1.0, theme.mm(self.min_button_mm))))
        # fewer, wider columns when a label's longest word would not fit a button: Kivy breaks a word
        # wider than its line mid-word ("Dexamethaso/ne"), which misreads a drug name
        word = max((_word_width(b.text, b.font_size, b.bold) for b in self.buttons), default=0.0)
        while cols > 1 and self._share(cols) < word + theme.gap * 2 + 2:
            cols -= 1
        self.cols = cols

    def _share(self, n: int) -> float:
        """The width of each of ``n`` buttons side by side across the grid (its spacing between them)."""
        spacing = float(self.spacing[0]) if isinstance(self.spacing, list | tuple) else float(self.spacing)
        left, _top, right, _bottom = (float(v) for v in self.padding)
        return (float(self.width) - left - right - spacing * (n - 1)) / n

    def show(self, actions: Sequence[Action]) -> None:
        if tuple(actions) == tuple(self._shown):
            return
        self._shown = tuple(actions)
        self.clear_widgets()
        self.buttons, self._page_rows = [], None
        self._heights.clear()
        self._widths.clear()
        for a in actions:
            label = ("[!] " if a.unsafe else "[X] " if a.selected else "") + a.label
            b = BigButton(text=label, selected=a.selected, primary=a.primary, unsafe=a.unsafe, key=a.key)
            b.bind(on_release=self._pressed, texture_size=_grow)
            self.buttons.append(b)
            self.add_widget(b)
        self._columns()

    def grid_rows(self) -> list[tuple[int, ...]]:
        """The rows of the grid's own columns (every button shown in them), top first."""
        cols = max(1, int(self.cols or 1))
        n = len(self.buttons)
        return [tuple(range(a, min(a + cols, n))) for a in range(0, n, cols)]

    def one_line(self, place: int, n: int) -> bool:
        """Whether button ``place``'s label fits whole on one line in a button of ``n`` side by side (its
        width kept until the actions change)."""
        from kivy.app import App

        b = self.buttons[place]
        if place not in self._widths:
            self._widths[place] = _line_width(b.text, b.font_size, b.bold)
        gap = float(App.get_running_app().theme.gap)
        return self._widths[place] + gap * 2 + 2 <= self._share(n)

    def rows_height(self, rows: Sequence[Sequence[int]]) -> float:
        """The height ``rows`` of buttons take (as show_rows lays them out, or the grid's columns do): each
        row as tall as its tallest button at its share of the width, the grid's spacing between rows."""
        spacing = float(self.spacing[1]) if isinstance(self.spacing, list | tuple) else float(self.spacing)
        heights = [max(self._height_at(i, self._share(len(r))) for i in r) for r in rows if r]
        return sum(heights) + spacing * max(0, len(heights) - 1)

    def _height_at(self, place: int, width: float) -> float:
        """Button ``place``'s height at ``width`` (grow: its label wrapped at its width less its margins),
        kept until the actions change (the live column is laid out 4 times a second)."""
        from kivy.app import App
        from kivy.core.text import Label as CoreLabel

        known = self._heights.get((place, width))
        if known is not None:
            return known
        button, theme = self.buttons[place], App.get_running_app().theme
        core = CoreLabel(
            text=button.text,
            font_size=button.font_size,
            bold=button.bold,
            halign=button.halign,
            text_size=(max(1.0, width - theme.gap * 2), None),
        )
        core.refresh()
        height = max(float(theme.target), float(core.content_height) + float(theme.gap) * 2)
        self._heights[(place, width)] = height
        return height

    def show_rows(self, rows: Sequence[Sequence[int]] | None) -> None:
        """Show only ``rows`` of the buttons (places in ``buttons``), top first; None: all of them in the
        grid's columns. The buttons not shown leave the tree (nothing to touch) and stay in ``buttons``."""
        key = None if rows is None else tuple(tuple(r) for r in rows)
        if key == self._page_rows and (key is not None or len(self.children) == len(self.buttons)):
            return
        self._page_rows = key
        self.clear_widgets()
        for b in self.buttons if key is None else [self.buttons[i] for r in key for i in r]:
            self.add_widget(b)
        self._trigger_layout()

    def do_layout(self, *args: object) -> None:
        if self._page_rows is None:
            super().do_layout(*args)
            return
        # some rows: each row's buttons side by side in equal shares, tops aligned, top row first
        spacing = self.spacing if isinstance(self.spacing, list | tuple) else (self.spacing, self.spacing)
        left, top, _right, bottom = (float(v) for v in self.padding)
        y = float(self.top) - top
        for row in self._page_rows:
            share = self._share(len(row))
            buttons = [self.buttons[i] for i in row]
            for k, b in enumerate(buttons):
                b.width = share
                b.pos = (float(self.x) + left + k * (share + float(spacing[0])), y - float(b.height))
            y -= max(float(b.height) for b in buttons) + float(spacing[1])
        used = float(self.top) - y - (float(spacing[1]) if self._page_rows else 0.0) + bottom
        self.minimum_height = used

    def _pressed(self, button: BigButton) -> None:
        if self.on_action is not None:
            self.on_action(button.key)

    def button(self, key: str) -> BigButton | None:
        """The button that sends ``key``, shown or not (not on the live column's page: out of the tree)."""
        return next((b for b in self.buttons if b.key == key), None)


def _line_width(text: str, font_size: float, bold: bool) -> float:
    """Width in px of ``text`` laid out on one line as a button draws it."""
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(text=text, font_size=font_size, bold=bold)
    core.refresh()
    return float(core.content_width)


def _word_width(text: str, font_size: float, bold: bool) -> float:
    """Width in px of the widest word of ``text`` as a button draws it."""
    from kivy.core.text import Label as CoreLabel

    widest = 0.0
    for word in set(text.split()):
        core = CoreLabel(text=word, font_size=font_size, bold=bold)
        core.refresh()
        widest = max(widest, float(core.content_width))
    return widest


def _grow(button: BigButton, size: tuple[float, float]) -> None:
    """A grid's button is at least one touch target tall, taller when its label wraps."""
    from kivy.app import App

    theme = App.get_running_app().theme
    button.height = max(theme.target, size[1] + theme.gap * 2)


class Keypad(BoxLayout):  # type: ignore[misc]
    """The one keypad (viewmodels/keypad.py): the value or PIN dots fixed above two rows of square keys,
    each one touch target; the same keys in the same places on every screen. A PIN pad leaves the "."
    place empty (never moving 0 or DEL)."""

    value = StringProperty("")
    decimal = BooleanProperty(False)
    shown = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self.on_action: Callable[[str], None] | None = None
        super().__init__(**kwargs)

    def on_kv_post(self, _base: object) -> None:
        from kivy.app import App

        keys = self.ids.pad_keys
        for row in kp.ROWS:
            for key in row:
                b = BigButton(text=kp.label(key), key=key)
                if not key.startswith("digit:"):  # "DEL" whole on a square key
                    b.font_size = App.get_running_app().theme.font_small
                b.bind(on_release=self._pressed)
                keys.add_widget(b)
        self.on_decimal()

    def on_decimal(self, *_: object) -> None:
        dot = next((b for b in self.ids.pad_keys.children if b.key == "dot"), None)
        if dot is not None:
            dot.opacity, dot.disabled = (1, False) if self.decimal else (0, True)

    def _pressed(self, button: BigButton) -> None:
        if self.on_action is not None:
            self.on_action(button.key)

    def button(self, key: str) -> BigButton | None:
        return next((b for b in self.ids.pad_keys.children if b.key == key and not b.disabled), None)


class StatusBar(BoxLayout):  # type: ignore[misc]
    banner = StringProperty("")
    operator = StringProperty("")
    probe = StringProperty("")
    pedal = StringProperty("")
    pedal_ok = BooleanProperty(False)

    @staticmethod
    def share(text: str, font_size: float, bold: bool) -> float:
        """A part's share of the bar's width: its text's width on one line, so that parts that fit the bar
        together each get at least their own line (and, when they do not, each wraps in its share)."""
        from kivy.core.text import Label as CoreLabel

        if not text:
            return 0.01
        line = CoreLabel(text=text, font_size=font_size, bold=bold)
        line.refresh()
        return float(line.content_width) + 1.0


class PromptBar(BoxLayout):  # type: ignore[misc]
    """The top prompt above the screen, fixed (it cannot scroll away), when its whole text is too long for
    the nav bar's band (NavBar.prompt_fits); more are counted beside it. No room at all otherwise."""

    text = StringProperty("")
    colour = ListProperty([0.11, 0.12, 0.14, 1])
    text_colour = ListProperty([0.78, 0.80, 0.84, 1])
    marker_on = BooleanProperty(True)
    can_ack = BooleanProperty(False)
    showing = BooleanProperty(False)  # shown here: a prompt is up (acknowledged or not), not in the nav bar
    ack_label = StringProperty("Acknowledge")
    more = StringProperty("")


class NavBar(BoxLayout):  # type: ignore[misc]
    """The screens' buttons: LAST at the left edge, then Steps, Image/Step, Alarms and the cart's tools, or
    the top prompt (docs/ui.md, "The prompt in the nav bar's band"): LAST never moves and is never covered;
    a button that gives way to a prompt comes back in the same place."""

    font_size = NumericProperty(15)
    alarms_label = StringProperty("Alarms")
    simulated = BooleanProperty(False)
    #: The top prompt is shown in the nav bar: the whole band right of LAST (``prompt_wide``: Steps,
    #: Image, Alarms and the tools give way), or the room right of Alarms (the tools give way).
    prompt_up = BooleanProperty(False)
    prompt_wide = BooleanProperty(False)
    prompt_text = StringProperty("")
    prompt_colour = ListProperty(list(PANEL))
    #: The width the prompt's text is wrapped at (the room it is in, less its margins and gap).
    prompt_room = NumericProperty(100)
    #: A tap on it acts (acknowledge, or the list for an override); False: acknowledged, or locked.
    prompt_act = BooleanProperty(False)
    #: It shows an acknowledged prompt's short form: a tap opens the Alarms list, where its whole text is.
    prompt_opens_list = BooleanProperty(False)
    marker_on = BooleanProperty(True)

    def on_kv_post(self, _base: object) -> None:
        rest, right = self.ids.rest, self.ids.right
        # strong references: a widget out of the tree is kept alive by these alone (ids are weak)
        self._nav = list(reversed(rest.children))  # Steps, Image/Step, Alarms, the room right of them
        self._tools = list(reversed(right.children))
        self._prompt = self.ids.nav_prompt.__self__
        self._tools.remove(self._prompt)
        right.remove_widget(self._prompt)

    def room(self, wide: bool) -> float:
        """The width a prompt's text has: the whole band right of LAST, or the room right of Alarms (both
        less the prompt's margins and its gap from its neighbour, widgets_bars.kv); computed from the band and
        the fixed buttons' widths, so it holds whichever of them is in the tree now."""
        from kivy.app import App

        gap = float(App.get_running_app().theme.gap)
        band = float(self.ids.rest.width) - gap * 3
        if wide:
            return band
        buttons = self._nav[:-1]
        return band - sum(float(b.width) for b in buttons) - float(self.spacing) * len(buttons)

    def prompt_fits(self, text: str, wide: bool) -> bool:
        """Whether ``text`` fits whole in that room: wrapped at its width, within the bar's height."""
        from kivy.app import App

        gap = App.get_running_app().theme.gap
        room = self.room(wide)
        self.prompt_text, self.prompt_room = text, max(room, 1.0)
        button = self._prompt
        button.texture_update()  # laid out at the room's width now, shown or not
        tw, th = button.texture_size
        return bool(room > 0 and th + gap <= self.height and tw <= room + 1)

    def place_prompt(self, text: str, wide_ok: bool) -> bool:
        """Show ``text`` in the widest room it fits whole (the whole band only when ``wide_ok``: an
        unacknowledged prompt a tap acts on); False, and the tools back, when it fits in neither."""
        for wide in (True, False) if wide_ok else (False,):
            if self.prompt_fits(text, wide):
                self.prompt_wide, self.prompt_up = wide, True
                return True
        self.prompt_up, self.prompt_wide = False, False
        return False

    def on_prompt_up(self, _nav: object, _up: bool) -> None:
        self._arrange()

    def on_prompt_wide(self, _nav: object, _wide: bool) -> None:
        self._arrange()

    def _arrange(self) -> None:
        """The band's content: the prompt alone, or Steps, Image, Alarms and (right of them) the prompt
        or the tools, re-added whole in their order (fixed widths: each comes back where it was)."""
        rest, right = self.ids.rest, self.ids.right
        rest.clear_widgets()
        right.clear_widgets()
        if self.prompt_up and self.prompt_wide:
            rest.add_widget(self._prompt)
            return
        for w in self._nav:
            rest.add_widget(w)
        for w in [self._prompt] if self.prompt_up else self._tools:
            right.add_widget(w)


class StepPanel(BoxLayout):  # type: ignore[misc]
    """The current checklist step: its phase, its text, what was typed, its buttons, and why it is held."""

    phase_title = StringProperty("")  # the header: the phase, then the step's progress (or page_note)
    #: the live column's pages (column.py): the header's words after the phase in place of the step's
    #: progress ("page 3 of 16 · tap here": the header is their tap) on a page whose body has no "more"
    #: row to say which page, "" for the progress
    page_note = StringProperty("")
    #: the live column's header's height while its body has pages (0: none), the same on every page: at
    #: least one touch target, the pages' tap (column.py)
    header_min = NumericProperty(0)
    progress = StringProperty("")  # the step's progress in its phase ("step 1 of 1")
    step_text = StringProperty("")
    detail = StringProperty("")
    held = StringProperty("")  # why the step does not go on (the core's words), "" when it is not held
    held_colour = ListProperty(list(ALARM_HIGH))  # the holding stops' alarm colour (their prompts')
    held_here = BooleanProperty(True)  # False: the live screen shows it across its image instead
    #: it fits whole under the step's body, above the closing button; else (a 7-inch keypad step under a
    #: two-line prompt) it is the body's first text, whole, read by scrolling: never drawn over another
    held_fits = BooleanProperty(True)
    fit_held = BooleanProperty(True)  # False: the screen places the held line itself (the live screen)
    submit_label = StringProperty("")
    compact = BooleanProperty(False)
    toast = StringProperty("")
    toast_colour = ListProperty([1.0, 1.0, 1.0, 1.0])
    #: The body is the live column's pages of whole items (column.py): no spacing of its own, the toast
    #: shown there, the buttons only on their page (``grid_shown``)
    whole = BooleanProperty(False)
    grid_shown = BooleanProperty(True)
    item_gap = NumericProperty(0)  # whole: each shown item's gap below it
    #: px the body's window gives up at its bottom so that, at rest, its edge runs through no line of text
    #: (half a line under a whole one reads as a message of its own): not in the live column (whole)
    snap = NumericProperty(0)

    def show(self, view: object) -> None:
        from sonocart_ui.viewmodels.step_form import StepView

        assert isinstance(view, StepView)
        if view.step_id != getattr(self, "_step_id", None):
            self._step_id = view.step_id
            self.ids.scroll.scroll_y = 1  # a new step starts at its top: its text first
        self._phase, self.progress = view.phase_title, view.progress
        self._title()
        self.step_text = view.text or "No step: the procedure is complete or not started."
        self.detail = view.detail
        self.held = view.held
        self.held_colour = list(style_of(view.held_priority).colour)
        pad, submit = self.ids.keypad, view.submit
        pad.shown = view.keypad is not None
        if view.keypad is not None:
            pad.value, pad.decimal = view.keypad.value, view.keypad.decimal
        self._submit_key = "" if submit is None else submit.key
        self.submit_label = "" if submit is None else submit.label
        laid_out = kp.KEYS if view.keypad is not None else frozenset()
        self.ids.actions.show([a for a in view.actions if a.key not in laid_out and a is not submit])
        self._snap_later()

    def on_page_note(self, _panel: object, _note: str) -> None:
        self._title()

    def _title(self) -> None:
        phase = getattr(self, "_phase", "")
        self.phase_title = f"{phase} · {self.page_note or self.progress}" if phase else ""

    def on_kv_post(self, _base: object) -> None:
        from kivy.clock import Clock

        self._submit_key = ""
        fit = Clock.create_trigger(lambda _dt: self._fit_held())
        self.bind(size=fit, held=fit)
        # in the frame's layout (before it is drawn): each new view of the step, each change of the body
        self._snap_later = snap = Clock.create_trigger(lambda _dt: self._snap_to_lines(), -1)
        self.ids.scroll.bind(height=snap)
        self.ids.body.bind(height=snap, width=snap)
        self.ids.actions.bind(children=self._watch_buttons, minimum_height=snap)
        self.bind(whole=snap, step_text=snap, detail=snap)
        self.ids.phase_title.bind(height=fit)
        self.ids.submit.bind(height=fit)
        self.ids.held.bind(width=fit)
        # the pad and the fixed closing button send their keys where the grid's buttons go
        self.ids.keypad.on_action = self._send

    def _fit_held(self) -> None:
        """Whether the held line fits whole between the step's fixed header and its closing button."""
        from kivy.app import App

        if not self.fit_held:
            self.held_fits = True
            return
        label, gap = self.ids.held, App.get_running_app().theme.gap
        label.texture_update()  # laid out at its width, shown or not
        submit = self.ids.submit.height + (gap if self.submit_label else 0)
        room = self.height - self.padding[1] - self.padding[3] - self.ids.phase_title.height - self.spacing
        self.held_fits = label.texture_size[1] <= room - submit - gap

    def _watch_buttons(self, _grid: object, buttons: list[BigButton]) -> None:
        """The grid's buttons laid out anew (a new view's): the body's window snapped again after them."""
        for b in buttons:  # bind, not fbind: a button the live column's pages show again is bound once
            b.bind(pos=self._snap_later, size=self._snap_later)
        self._snap_later()

    def _snap_to_lines(self) -> None:
        """The body's window, at rest (its top shown), ends between two lines (``snap``: whole_lines_cut);
        not in the live column (whole), which pages instead."""
        room = float(self.ids.scroll.height) + float(self.snap)
        self.snap = 0 if self.whole else whole_lines_cut(self.ids.body, room)

    def _send(self, key: str) -> None:
        if self.ids.actions.on_action is not None and key:
            self.ids.actions.on_action(key)

    def submit(self) -> None:
        self._send(self._submit_key)

    def button(self, key: str) -> BigButton | None:
        """The button on screen that sends ``key`` (grid, keypad or the fixed closing button)."""
        if key and key == self._submit_key:
            submit: BigButton = self.ids.submit
            return submit
        return self.ids.actions.button(key) or (
            self.ids.keypad.button(key) if self.ids.keypad.shown else None
        )


def whole_lines_cut(body: Widget, room: float) -> float:
    """How many px a scroll view ``room`` high over ``body`` (its content, shown from its top) gives up at
    its bottom so that its edge runs through no line of text and no button: up to the first such row its
    bottom edge would cut; 0 when the content fits, or when what is left would hold less than a line
    (half a line under a whole one reads as a message of its own)."""
    from kivy.uix.label import Label

    if body.height <= room + 0.5:
        return 0.0
    top = body.to_window(body.x, body.top)[1]
    rows: list[tuple[float, float]] = []  # (top, bottom) below the body's top, px
    for w in body.walk(restrict=True):
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
    edge = room
    for _ in range(len(rows) + 1):  # up to the first row it cuts, until it cuts none
        cut = [t for t, b in rows if t < edge - 1 and b > edge + 1]
        if not cut:
            break
        edge = min(cut)
    least = min((b - t for t, b in rows), default=room)
    return room - edge if edge >= least else 0.0
