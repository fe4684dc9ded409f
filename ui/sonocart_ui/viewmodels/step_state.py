"""What the step form holds between touches for the current step: the selection, the number typed so far,
the antithrombotics' cycle, the PIN pads, the medications form. Reset when the step changes (``_sync``)."""

from __future__ import annotations

from typing import Any

from sonocart.cart.session import CartSession
from sonocart.procedures.catalogue import Step
from sonocart_ui.viewmodels.medications import MedicationsForm
from sonocart_ui.viewmodels.pin_entry import PinEntry


class StepState:
    def __init__(self, session: CartSession) -> None:
        self.session = session
        self._step_id = ""
        self.selected: set[str] = set()
        self.cycle: dict[str, bool | None] = {}
        self.entry = ""
        self.function_test = ""
        self.medications: MedicationsForm | None = None
        self.member_pin = PinEntry("confirm_as")  # each member confirms the time-out with their own PIN
        self.clinician_pin = PinEntry("clinician")  # the clinician clearing an escalation, by PIN
        self.clear_reason = -1

    def name(self, operator_id: str) -> str:
        """A person as the team knows them (the roster's name), never the id the journal keeps."""
        return next((o.name for o in self.session.settings.operators if o.id == operator_id), operator_id)

    def _sync(self, step: Step) -> None:
        """A new step starts with a clean selection (and any pre-filled value)."""
        if step.id == self._step_id:
            return
        self._step_id = step.id
        self.selected = set()
        self.cycle = {}
        prefill = self.session.prefill.get(step.id)
        self.entry = "" if prefill is None else f"{prefill:g}"
        self.function_test = step.tests[0].id if step.tests else ""
        self.member_pin.clear()
        self.clinician_pin.clear()
        self.clear_reason = -1
        eng = self.session.engine
        self.medications = None
        if step.kind == "medications" and eng is not None:
            self.medications = MedicationsForm(self.session.catalogue, eng.state.procedure)
        if step.kind == "team":
            self.selected = {o.id for o in self.session.settings.operators}

    def _taking(self) -> list[dict[str, Any]]:
        return [{"drug": d, "held": held} for d, held in self.cycle.items() if held is not None]
