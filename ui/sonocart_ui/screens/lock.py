"""Screen lock: operator and PIN keypad (viewmodels/lock.py decides)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.step_form import Action

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockScreen(Screen):  # type: ignore[misc]
    message = StringProperty("")

    def on_kv_post(self, _base: object) -> None:
        self.ids.keypad.on_action = self.press
        self.ids.operators.on_action = self.press

    def refresh(self) -> None:
        app = App.get_running_app()
        vm = app.lock
        name = app.form.name
        ops = [
            Action(f"op:{o.id}", name(o.id), o.id == vm.operator_choice)
            for o in app.session.settings.operators
        ]
        self.ids.operators.show(ops)
        self.message = vm.message
        who = name(vm.operator_choice) if vm.operator_choice else ""
        self.ids.keypad.value = f"PIN of {who}: {'*' * len(vm.pin) or '—'}" if who else "choose who you are"

    def press(self, key: str) -> None:
        app = App.get_running_app()
        app.lock.press(key)  # on unlocking, the core's lock event takes the app back (app.after_unlock)
        self.refresh()

    def button(self, key: str) -> Any:
        """The button on screen that sends ``key`` (who, a key of the pad, Unlock)."""
        if key == "ok":
            return self.ids.unlock
        return self.ids.operators.button(key) or self.ids.keypad.button(key)
