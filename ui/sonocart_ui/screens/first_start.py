"""First start on a new cart: register the first administrator (viewmodels/first_start.py decides)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.first_start import FirstStartForm

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class FirstStartScreen(Screen):  # type: ignore[misc]
    message = StringProperty("")
    error = StringProperty("")

    def __init__(self, form: FirstStartForm, **kwargs: object) -> None:
        self.form = form
        super().__init__(**kwargs)

    def refresh(self) -> None:
        self.message = self.form.message
        self.error = self.form.error
        for key in ("pin", "pin_again"):
            if not self.form.values[key]:
                self.ids[key].text = ""

    def set_field(self, name: str, value: str) -> None:
        self.form.values[name] = value

    def submit(self) -> None:
        if self.form.submit():
            App.get_running_app().go_procedure()
        self.refresh()
