"""Screen lock: operator and PIN keypad (viewmodels/lock.py decides)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.step_form import Action

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockScreen(Screen):  # type: ignore[misc]
    message = StringProperty("")
    pin_dots = StringProperty("")

    def on_kv_post(self, _base: object) -> None:
        self.ids.keypad.on_action = self._press

    def refresh(self) -> None:
        app = App.get_running_app()
        vm = app.lock
        ops = [Action(f"op:{o.id}", o.id, o.id == vm.operator_choice) for o in app.session.settings.operators]
        digits = [Action(f"digit:{d}", d) for d in "1234567890"]
        self.ids.keypad.show([*ops, *digits, Action("back", "DEL"), Action("ok", "Unlock", primary=True)])
        self.message = vm.message
        self.pin_dots = "*" * len(vm.pin) or "enter PIN"

    def _press(self, key: str) -> None:
        app = App.get_running_app()
        app.lock.press(key)  # on unlocking, the core's lock event takes the app back (app.after_unlock)
        self.refresh()
