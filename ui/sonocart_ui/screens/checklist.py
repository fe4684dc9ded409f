"""The checklist screens' shared body: a step panel for the phase in progress (sign-in, time-out...)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StepScreen(Screen):  # type: ignore[misc]
    def on_kv_post(self, _base: object) -> None:
        self.ids.panel.ids.actions.on_action = lambda key: App.get_running_app().step_action(key)

    def refresh(self) -> None:
        self.ids.panel.show(App.get_running_app().form.view())
