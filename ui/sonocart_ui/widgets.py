"""Shared widgets sized in millimetres (see theme.py): big buttons, the keypad, the step panel, the frame bars
(the action grid: action_grid.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label

from sonocart_ui.action_grid import ActionGrid  # noqa: F401  (before widgets.kv: its rule names the class)
from sonocart_ui.theme import ALARM_HIGH, PANEL
from sonocart_ui.viewmodels import keypad as kp
from sonocart_ui.viewmodels.alarm_style import style_of
from sonocart_ui.viewmodels.bar_shares import allot
from sonocart_ui.widgets_rows import MoreBelow, WholeRows, to_top

__all__ = ["MoreBelow", "WholeRows", "to_top"]  # the scroll windows' rows: widgets_rows

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
Builder.load_file(str(Path(__file__).with_name("widgets_bars.kv")))  # the frame's bars


class BigButton(Button):  # type: ignore[misc]
    """A touch target at least 12 mm each way; ``selected`` shows as a filled box AND a [X] mark."""

    selected = BooleanProperty(False)
    primary = BooleanProperty(False)
    danger = BooleanProperty(False)  # an unsafe answer (blood on aspiration): red, never like a safe one
    unsafe = BooleanProperty(False)  # an unsafe state chosen (NOT HELD): yellow with [!], never green [X]
    key = StringProperty("")


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
    """The bedside line: side and site, operator, probe, pedals. Each part as wide as its text on one line
    plus an equal part of the room left, while they all fit the bar on one line; else the short ones keep
    their line and the long ones wrap at one width (viewmodels/bar_shares.allot; never shortened)."""

    banner = StringProperty("")
    operator = StringProperty("")
    probe = StringProperty("")
    pedal = StringProperty("")
    pedal_ok = BooleanProperty(False)
    #: the parts' widths in px, in their order (banner, operator, probe, pedal): StatusBar.arrange
    widths = ListProperty([0.0, 0.0, 0.0, 0.0])

    def on_kv_post(self, _base: object) -> None:
        for part in self._parts():
            part.bind(text=self.arrange, font_size=self.arrange, bold=self.arrange)
        self.bind(width=self.arrange, padding=self.arrange, spacing=self.arrange)
        self.arrange()

    def _parts(self) -> list[Label]:
        ids = self.ids
        return [ids.banner, ids.operator, ids.probe, ids.pedal]

    def arrange(self, *_: object) -> None:
        """The parts' widths for their texts now (a text changes with every frame's age at 10 inches:
        measured, not rendered, and set only when a width moves by more than half a pixel)."""
        parts = self._parts()
        lines = [_line_width(p.text, p.font_size, p.bold) for p in parts]
        words = [
            max((_line_width(w, p.font_size, p.bold) for w in p.text.split(" ") if w), default=0.0)
            for p in parts
        ]
        pad = self.padding
        room = float(self.width) - float(pad[0]) - float(pad[2]) - float(self.spacing) * (len(parts) - 1)
        widths = allot(lines, words, max(room, 0.0))
        if any(abs(a - float(b)) > 0.5 for a, b in zip(widths, self.widths, strict=True)):
            self.widths = widths

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


#: one-line widths measured so far, by (text, font size, bold): the probe's text changes with each frame
_WIDTHS: dict[tuple[str, float, bool], float] = {}


def _line_width(text: str, font_size: float, bold: bool) -> float:
    """``text``'s width on one line in px as a Label lays it out (StatusBar.share less its pixel: a Label
    exactly that wide keeps it on one line; the text's extents alone came 2 px short of the laid-out line,
    and a part given them wrapped), remembered."""
    if not text:
        return 0.0
    key = (text, float(font_size), bool(bold))
    if key not in _WIDTHS:
        if len(_WIDTHS) > 512:
            _WIDTHS.clear()
        _WIDTHS[key] = StatusBar.share(text, font_size, bold) - 1.0  # the line itself: a Label that wide
    return _WIDTHS[key]


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
    #: the live column's header's height while its body has pages (0: none), the same on every page: its
    #: tallest form's (column.py; with the body beside the buttons it is the pages' tap, a target high)
    header_min = NumericProperty(0)
    #: the header says which page alone, without the phase (the live column at 7 inches in a phase of one
    #: step, the injection, while its body pages: one line, not two; the strip names the step)
    count_alone = BooleanProperty(False)
    progress = StringProperty("")  # the step's progress in its phase ("step 2 of 7"; "" in a one-step phase)
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
    #: px the body's window gives up at its bottom so that its edge runs through no line of text or button
    #: (half a line under a whole one reads as a message of its own), at its top or scrolled
    #: (widgets_rows.WholeRows): not in the live column (whole)
    snap = NumericProperty(0)

    def show(self, view: object) -> None:
        from sonocart_ui.viewmodels.step_form import StepView

        assert isinstance(view, StepView)
        if view.step_id != getattr(self, "_step_id", None):
            self._step_id = view.step_id
            to_top(self.ids.scroll)  # a new step starts at its top, at rest: its text first
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

    def on_count_alone(self, _panel: object, _alone: bool) -> None:
        self._title()

    def _title(self) -> None:
        if self.count_alone and self.page_note:
            self.phase_title = self.page_note
            return
        phase = getattr(self, "_phase", "")
        note = self.page_note or self.progress  # "" in a phase of one step on one page: the phase alone
        self.phase_title = f"{phase} · {note}" if phase and note else phase

    def on_kv_post(self, _base: object) -> None:
        from kivy.clock import Clock

        self._submit_key = ""
        fit = Clock.create_trigger(lambda _dt: self._fit_held())
        self.bind(size=fit, held=fit)
        # the body's window cuts no row, at rest at its top or after a scroll (widgets_rows.WholeRows), set
        # after the frame's layout (the next frame): each new view of the step, each change of the body
        self._rows = WholeRows(self, self.ids.scroll, self.ids.body, active=lambda: not self.whole)
        self._snap_later = snap = self._rows.later
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
