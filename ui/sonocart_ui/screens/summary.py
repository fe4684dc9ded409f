"""Summary and export: what the record holds; export the report and DICOM (viewmodels/summary.py)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.summary import export, summary_lines

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SummaryScreen(Screen):  # type: ignore[misc]
    text = StringProperty("")

    def refresh(self) -> None:
        self.text = "\n".join(summary_lines(App.get_running_app().session))

    def export(self) -> None:
        export(App.get_running_app().session)
        self.refresh()

    def new_procedure(self) -> None:
        app = App.get_running_app()
        app.session.close()
        app.show("start")
