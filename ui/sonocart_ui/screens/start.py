"""Start screen: procedure from the catalogue, patient identifiers, weight, operator (viewmodels/start.py)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.start import StartForm
from sonocart_ui.viewmodels.step_form import Action
from sonocart_ui.widgets import WholeRows

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StartScreen(Screen):  # type: ignore[misc]
    error = StringProperty("")
    roster_note = StringProperty("")

    def __init__(self, form: StartForm, **kwargs: object) -> None:
        self.form = form
        super().__init__(**kwargs)

    has_open = BooleanProperty(False)
    #: px the form's window gives up at its bottom so that, at rest, no line, field or button is cut
    snap = NumericProperty(0)

    def on_kv_post(self, _base: object) -> None:
        self.ids.procedures.on_action = self._pick_procedure
        whole = WholeRows(self, self.ids.form_scroll, self.ids.form_body)
        for grid in (self.ids.procedures, self.ids.operators, self.ids.resume):
            grid.bind(children=whole.later)
        self.ids.operators.on_action = self._pick_operator
        self.ids.resume.on_action = self._resume

    def on_pre_enter(self, *_: object) -> None:
        self.form.find_open()
        self.refresh()

    def refresh(self) -> None:
        f = self.form
        offers = f.resume_offers()
        self.has_open = bool(offers)
        self.ids.resume.show([Action(path, text, primary=True) for path, text in offers])
        for b in self.ids.resume.children:
            if b.shorten:  # a record is named whole (procedure, time, phase, step): the button grows
                b.shorten = False
                b.bind(texture_size=self._fit)
        self.ids.procedures.show([Action(p, name, p == f.procedure_id) for p, name in f.procedures()])
        name = App.get_running_app().form.name
        self.ids.operators.show([Action(o, name(o), o == f.operator) for o in f.operators()])
        self.error = f.error
        self.roster_note = f.roster_note()

    def _fit(self, button: object, size: tuple[float, float]) -> None:
        theme = App.get_running_app().theme
        button.height = max(theme.target, size[1] + theme.gap * 2)  # type: ignore[attr-defined]

    def _pick_procedure(self, key: str) -> None:
        self.form.procedure_id = key
        self.refresh()

    def _pick_operator(self, key: str) -> None:
        self.form.operator = key
        self.refresh()

    def set_field(self, name: str, value: str) -> None:
        self.form.values[name] = value

    def _resume(self, path: str) -> None:
        if self.form.resume(path):
            App.get_running_app().go_procedure()
        self.refresh()

    def start(self) -> None:
        if self.form.start():
            App.get_running_app().go_procedure()
        self.refresh()
