"""LAST emergency mode (local anaesthetic systemic toxicity): the ASRA checklist, lipid plan and timers.

Reachable from every screen by the nav bar's LAST button. The screen only shows what the engine holds and
sends its inputs through the view-model (viewmodels/last.py), so every touch is journaled with the operator.
"""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.last import LastStepRow, LastViewModel
from sonocart_ui.widgets import WholeRows

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LastStepWidget(BoxLayout):  # type: ignore[misc]
    """One checklist step with its large Done button (a step may be done again, e.g. a repeat bolus)."""

    text = StringProperty("")
    label = StringProperty("Done")
    step_id = StringProperty("")
    done = BooleanProperty(False)
    enabled = BooleanProperty(False)

    def __init__(self, vm: LastViewModel, row: LastStepRow, enabled: bool, **kwargs: object) -> None:
        self.vm = vm
        super().__init__(**kwargs)
        self.text, self.label, self.step_id = row.text, row.label, row.id
        self.done, self.enabled = row.times_done > 0, enabled

    def press(self) -> None:
        self.vm.done(self.step_id)


class LastScreen(Screen):  # type: ignore[misc]
    active = BooleanProperty(False)
    confirming = BooleanProperty(False)
    plan_text = StringProperty("")
    timers_text = StringProperty("")
    #: px the steps' window gives up at its bottom so that, at rest, no line or button is cut by its edge
    snap = NumericProperty(0)

    def __init__(self, vm: LastViewModel, **kwargs: object) -> None:
        self.vm = vm
        self._shown: tuple[bool, list[LastStepRow]] | None = None
        super().__init__(**kwargs)
        whole = WholeRows(self, self.ids.steps_scroll, self.ids.body)
        self.ids.steps.bind(children=whole.later)

    def refresh(self) -> None:
        vm = self.vm
        self.active, self.confirming = vm.active(), vm.confirming
        self.plan_text = "\n".join(vm.plan_lines())
        timers = vm.timers()
        self.timers_text = "\n".join(t.text for t in timers) if timers else "no LAST timer running"
        shown = (self.active, vm.steps())
        if shown == self._shown:
            return
        self._shown = shown
        box = self.ids.steps
        box.clear_widgets()
        for row in shown[1]:
            box.add_widget(LastStepWidget(vm, row, self.active))

    def step_widget(self, step_id: str) -> LastStepWidget | None:
        return next((w for w in self.ids.steps.children if w.step_id == step_id), None)

    def press_start(self) -> None:
        self.vm.press_start()
        self.refresh()

    def cancel_start(self) -> None:
        self.vm.cancel_start()
        self.refresh()

    def end(self) -> None:
        if self.vm.end(self.ids.reason.text):
            self.ids.reason.text = ""
            App.get_running_app().go_procedure()
        self.refresh()
