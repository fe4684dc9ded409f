"""Start screen: procedure from the catalogue, patient identifiers, weight, operator (viewmodels/start.py)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.start import StartForm
from sonocart_ui.viewmodels.step_form import Action

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StartScreen(Screen):  # type: ignore[misc]
    error = StringProperty("")
    roster_note = StringProperty("")

    def __init__(self, form: StartForm, **kwargs: object) -> None:
        self.form = form
        super().__init__(**kwargs)

    def on_kv_post(self, _base: object) -> None:
        self.ids.procedures.on_action = self._pick_procedure
        self.ids.operators.on_action = self._pick_operator

    def refresh(self) -> None:
        f = self.form
        self.ids.procedures.show([Action(p, name, p == f.procedure_id) for p, name in f.procedures()])
        self.ids.operators.show([Action(o, o, o == f.operator) for o in f.operators()])
        self.error = f.error
        self.roster_note = f.roster_note()

    def _pick_procedure(self, key: str) -> None:
        self.form.procedure_id = key
        self.refresh()

    def _pick_operator(self, key: str) -> None:
        self.form.operator = key
        self.refresh()

    def set_field(self, name: str, value: str) -> None:
        self.form.values[name] = value

    def start(self) -> None:
        if self.form.start():
            App.get_running_app().go_procedure()
        self.refresh()
