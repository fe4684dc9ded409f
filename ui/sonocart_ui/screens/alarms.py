"""Alarm and prompt list: every active prompt, highest priority first, each acknowledged by a person.

Hard stops are not acknowledged away: they take a documented override (reason typed here)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from sonocart.cart.alarms import flash_on
from sonocart.procedures.inputs import Override
from sonocart_ui.viewmodels.prompt_list import PromptRow, acknowledge, rows

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
        reason = app.root.ids.screens.get_screen("alarms").ids.reason.text
        rule = self.prompt_id.removeprefix("hard_stop:")
        app.session.submit(lambda op: Override(rule, reason, op), f"override of {rule} documented")


class AlarmsScreen(Screen):  # type: ignore[misc]
    empty = BooleanProperty(True)

    def __init__(self, **kwargs: object) -> None:
        self._shown: list[PromptRow] = []
        super().__init__(**kwargs)

    def refresh(self) -> None:
        new = rows(App.get_running_app().session)
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
