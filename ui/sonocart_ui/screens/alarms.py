"""Alarm and prompt list: every active prompt, highest priority first, each acknowledged by a person.

Hard stops are not acknowledged away: they take a documented override. Touching a stop's Override opens
its own form (viewmodels/override.py): the stop named, an empty reason, a second operator's PIN where
needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from sonocart.cart.alarms import flash_on
from sonocart_ui.viewmodels.keypad import KEYS
from sonocart_ui.viewmodels.override import OverrideForm
from sonocart_ui.viewmodels.prompt_list import PromptRow, acknowledge, rows
from sonocart_ui.widgets import to_top

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class AlarmRow(BoxLayout):  # type: ignore[misc]
    text = StringProperty("")
    colour = ListProperty([1, 1, 1, 1])
    marker_on = BooleanProperty(True)
    blocking = BooleanProperty(False)
    prompt_id = StringProperty("")
    action = StringProperty("")

    def __init__(self, row: PromptRow, **kwargs: object) -> None:
        self.row = row
        super().__init__(**kwargs)
        self.text, self.colour, self.blocking = row.label, list(row.style.colour), row.blocking
        self.prompt_id, self.action = row.id, row.action

    def act(self) -> None:
        app = App.get_running_app()
        if not self.blocking:
            acknowledge(app.session, self.prompt_id)
            return
        app.root.ids.screens.get_screen("alarms").start_override(self.row)


class AlarmsScreen(Screen):  # type: ignore[misc]
    empty = BooleanProperty(True)
    override_title = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self._shown: list[PromptRow] = []
        self.override: OverrideForm | None = None
        super().__init__(**kwargs)

    def on_kv_post(self, _base: object) -> None:
        self.ids.second_pad.on_action = self._second_pressed
        self.ids.keypad.on_action = self._second_pressed

    def on_pre_enter(self, *_: object) -> None:
        """The nav bar's band gives navigation back while the list is on screen (FrameBars._prompt_bar);
        on leaving, the top prompt takes its place again. Placed as the screen changes (the screen
        manager's current is already the new one), not a frame later: no touch meets the old band."""
        App.get_running_app()._prompt_bar()
        to_top(self.ids.page)  # the list opens at its top: the highest prompt first

    def on_pre_leave(self, *_: object) -> None:
        App.get_running_app()._prompt_bar()

    def button(self, key: str) -> Any:
        """The override form's button that sends ``key`` (who the second is, or a key of the pad)."""
        return self.ids.second_pad.button(key) or self.ids.keypad.button(key)

    def start_override(self, row: PromptRow) -> None:
        if self.override is None:
            self.override = OverrideForm(App.get_running_app().session)
        self.override.select(row.id.removeprefix("hard_stop:"), row.label)
        self.ids.reason.text = ""  # each stop its own reason, never the last one typed
        self._show_override()

    def document_override(self) -> None:
        if self.override is not None and self.override.submit(self.ids.reason.text):
            self.ids.reason.text = ""
        self._show_override()

    def _second_pressed(self, key: str) -> None:
        if self.override is not None:
            self.override.press(key)
        self._show_override()

    def _show_override(self) -> None:
        form = self.override
        self.override_title = form.title() if form is not None else ""
        pad = form.keypad() if form is not None else None
        self.ids.keypad.shown = pad is not None
        if pad is not None:
            self.ids.keypad.value = pad.value
        actions = form.actions() if form is not None else []
        self.ids.second_pad.show([a for a in actions if a.key not in KEYS])

    def refresh(self) -> None:
        new = rows(App.get_running_app().session)
        if self.override is not None and self.override.rule:
            if f"hard_stop:{self.override.rule}" not in {r.id for r in new}:  # passed or corrected
                self.override.select("", "")
                self.ids.reason.text = ""
            self._show_override()
        self.empty = not new
        if new == self._shown:
            return
        self._shown = new
        box = self.ids.rows
        box.clear_widgets()
        for r in new:
            box.add_widget(AlarmRow(r))

    def flash(self, now: float) -> None:
        for w in self.ids.rows.children:
            w.marker_on = flash_on(w.row.style.signal, now)
