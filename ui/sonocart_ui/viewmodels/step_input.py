"""Which engine input each of the step form's buttons sends (or how it changes the form): the engine
validates every answer and raises its hard stops."""

from __future__ import annotations

from typing import Any

from sonocart.procedures.catalogue import Step
from sonocart.procedures.inputs import (
    Answer,
    ClearEscalation,
    Confirm,
    FinishInjection,
    NewNeedle,
    TestDose,
)
from sonocart_ui.viewmodels.step_state import StepState

#: antithrombotic button cycle: not taking -> taking, held -> taking, NOT HELD
_AT_CYCLE = {None: True, True: False, False: None}


class StepInput(StepState):
    def press(self, key: str) -> bool:
        """Act on one button; True when the engine accepted an input (or the form changed)."""
        step = self.session.current_step()
        if step is None:
            return False
        self._sync(step)
        sid = step.id
        name, _, arg = key.partition(":")
        s = self.session
        if name == "confirm":
            return s.submit(lambda op: Confirm(sid, op), f"{step.text} — confirmed")
        if step.kind == "discharge" and self._clearance_key(name, arg):
            s.changed()
            return True
        if name == "clear_escalation":
            return self._clear_escalation()
        if step.kind == "team_confirm" and self.member_pin.press(name, arg):
            s.changed()
            return True
        if name == "member_ok":
            member, pin = self.member_pin.person, self.member_pin.pin
            self.member_pin.clear()  # a PIN is typed once: right or wrong, the pad starts empty again
            if not member:
                s.say("touch your name first, then type your PIN", ok=False)
                return False
            said = f"time-out confirmed by {self.name(member)}"
            return s.submit(lambda _op: Confirm(sid, member, pin=pin), said)
        if name == "stop":
            member, _, side = arg.partition(":")
            said = f"STOP: {self.name(member)} states {side.upper()}"
            return s.submit(lambda _op: Confirm(sid, member, side), said)
        if name in ("yes", "no"):
            return s.submit(lambda op: Answer(sid, name == "yes", op), f"answered {name}")
        if name == "side":
            return s.submit(lambda op: Answer(sid, arg, op), f"side {arg.upper()}")
        if step.kind == "medications" and self.medications is not None and name != "done":
            if self.medications.press(name, arg):
                s.changed()
                return True
            return False
        if name in ("opt", "member", "allergy"):
            if step.kind == "choice" and not step.multiple:
                return s.submit(lambda op: Answer(sid, arg, op), f"{step.name}: {step.option_name(arg)}")
            self.selected ^= {arg}
            s.changed()
            return True
        if name == "drug":
            self.cycle[arg] = _AT_CYCLE[self.cycle.get(arg)]
            s.changed()
            return True
        if name == "test":
            self.function_test = arg
            s.changed()
            return True
        if name in ("digit", "dot", "back"):
            self._type(name, arg)
            return True
        if name == "ok":
            return self._enter(step)
        if name == "done":
            return self._done(step)
        return self._inject(name, arg)

    def _clearance_key(self, name: str, arg: str) -> bool:
        if name == "clear_reason":
            self.clear_reason = int(arg)
            return True
        return self.clinician_pin.press(name, arg)

    def _clear_escalation(self) -> bool:
        s, reasons = self.session, self.session.catalogue.last.clear_reasons
        who, pin = self.clinician_pin.person, self.clinician_pin.pin
        self.clinician_pin.pin = ""
        if not who or not 0 <= self.clear_reason < len(reasons):
            s.say("the clearing clinician picks their reason and their name, then types their PIN", ok=False)
            return False
        reason = reasons[self.clear_reason]
        said = f"escalation cleared by {self.name(who)}"
        return s.submit(lambda op: ClearEscalation(who, reason, op, pin=pin), said)

    def _type(self, name: str, arg: str) -> None:
        if name == "back":
            self.entry = self.entry[:-1]
        elif name == "dot":
            if "." not in self.entry:
                self.entry = (self.entry or "0") + "."
        elif len(self.entry) < 6:
            self.entry += arg
        self.session.changed()

    def _enter(self, step: Step) -> bool:
        try:
            number = float(self.entry)
        except ValueError:
            self.session.say("type a number first", ok=False)
            return False
        value: Any = number
        said = f"{step.name}: {number:g} {step.unit}".rstrip()
        if step.measure == "function":
            value = {"test": self.function_test, "value": number}
            test = next((t for t in step.tests if t.id == self.function_test), None)
            if test is not None:  # the engine refuses a test the step does not list, and says so
                said = f"{step.name}: {test.name} {number:g} {test.unit}"
        return self.session.submit(lambda op: Answer(step.id, value, op), said)

    def _done(self, step: Step) -> bool:
        sid = step.id
        value: Any
        if step.kind == "medications" and self.medications is not None:
            value = self.medications.answer()
        elif step.kind == "antithrombotics":
            value = self._taking()
        else:
            value = sorted(self.selected)
        return self.session.submit(lambda op: Answer(sid, value, op), f"{step.name}: recorded")

    def _inject(self, name: str, arg: str) -> bool:
        s = self.session
        if name == "aspirate":
            return s.aspirate(arg, "touch")
        if name == "vol":
            s.set_aliquot_ml(s.aliquot_ml + (1.0 if arg == "+" else -1.0))
            return True
        if name == "aliquot":
            return s.log_aliquot("touch", None)
        if name == "test_dose":
            vol = s.aliquot_ml
            return s.submit(lambda op: TestDose(vol, op), "test dose logged")
        if name == "new_needle":
            return s.submit(lambda op: NewNeedle(op), "needle withdrawn: STOP again before the next")
        if name == "finish":
            return s.submit(lambda op: FinishInjection(op), "injection finished")
        return False
