"""What the step panel shows of the current checklist step: built by viewmodels/step_form.py, drawn by the
step screens and the live screen's column."""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.procedures.prompts import Priority
from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.keypad import KeypadView

#: The keys that close a form (confirm, enter the number, record the list, confirm as, clear): shown fixed
#: at the bottom of the form, above the nav bar, never reached by scrolling
SUBMIT_KEYS = ("confirm", "ok", "done", "member_ok", "clear_escalation")


@dataclass(frozen=True)
class StepView:
    phase_title: str
    step_id: str
    kind: str
    text: str
    progress: str
    actions: tuple[Action, ...]
    entry: str | None = None  # the number typed so far, for number steps
    detail: str = ""
    keypad: KeypadView | None = None  # the step takes digits: what the pad shows above its keys
    held: str = ""  # why the step does not go on: the core's one line (CartSession.held_by), "" if not
    held_priority: Priority = Priority.HIGH  # the highest of the holding stops' prompts: its alarm colour

    @property
    def submit(self) -> Action | None:
        """The form's closing action, if it has one."""
        return next((a for a in self.actions if a.key in SUBMIT_KEYS), None)


NO_STEP = StepView("", "", "", "", "", ())
