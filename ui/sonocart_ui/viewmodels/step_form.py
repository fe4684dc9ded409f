"""The current checklist step as buttons: what to show and which engine input each button sends.

One form serves every step kind the catalogue has (confirm, yes/no, number, choice, side, team,
allergies, antithrombotics, medications, two-person STOP, injection, outcomes...). It decides nothing
clinical: the engine validates every answer and raises its hard stops; this only lays out the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sonocart.cart.pedal_actions import CONFIRM_KINDS
from sonocart.cart.session import CartSession
from sonocart.procedures.catalogue import Step
from sonocart.procedures.holds import holds
from sonocart.procedures.inputs import (
    Answer,
    ClearEscalation,
    Confirm,
    FinishInjection,
    NewNeedle,
    TestDose,
)
from sonocart.procedures.patient import identifiers_line
from sonocart.procedures.prompts import Priority
from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.keypad import KeypadView, key_actions
from sonocart_ui.viewmodels.medications import MedicationsForm
from sonocart_ui.viewmodels.pin_entry import PinEntry

__all__ = ["CONFIRM_KINDS", "NO_STEP", "SUBMIT_KEYS", "Action", "StepForm", "StepView"]
#: The keys that close a form (confirm, enter the number, record the list, confirm as, clear): shown fixed
#: at the bottom of the form, above the nav bar, never reached by scrolling
SUBMIT_KEYS = ("confirm", "ok", "done", "member_ok", "clear_escalation")
#: antithrombotic button cycle: not taking -> taking, held -> taking, NOT HELD
_AT_CYCLE = {None: True, True: False, False: None}


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


class StepForm:
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

    # -- view -------------------------------------------------------------------------------------
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

    def view(self) -> StepView:
        eng = self.session.engine
        step = self.session.current_step()
        if eng is None or step is None:
            return NO_STEP
        self._sync(step)
        st = eng.state
        phase = st.procedure.phases[st.phase_index]
        progress = f"step {st.step_index + 1} of {len(phase.steps)}"
        actions, detail = self._actions(step)
        detail = " · ".join(x for x in (detail, self.timers_line()) if x)
        if step.kind == "discharge":
            detail = "\n".join([detail, *(f"- {i}" for i in eng.discharge_instructions())]).strip()
        if step.id == "patient_identifiers":  # the team matches these against the wristband
            detail = "\n".join(x for x in (identifiers_line(st.patient), detail) if x)
        entry = self.entry if step.kind in ("number", "outcome") else None
        return StepView(
            phase.title,
            step.id,
            step.kind,
            step.text,
            progress,
            tuple(actions),
            entry,
            detail,
            self._pad(step),
            self.session.held_by(),
            self._held_priority(),
        )

    def _held_priority(self) -> Priority:
        """The priority the core gives the prompts of the stops holding the step (HIGH if none is up)."""
        eng = self.session.engine
        if eng is None:
            return Priority.HIGH
        ids = {f"hard_stop:{h.rule}" for h in holds(self.session.catalogue, eng.state)}
        return max((p.priority for p in self.session.prompts() if p.id in ids), default=Priority.HIGH)

    def _pad(self, step: Step) -> KeypadView | None:
        """What the keypad shows above its keys, for the steps that take digits."""
        if step.kind in ("number", "outcome"):
            unit = f" {step.unit}" if step.unit else ""
            return KeypadView(f"{self.entry or '—'}{unit}", decimal=True)
        if step.kind == "team_confirm":
            pin = self.member_pin
            return pin.keypad(self.name(pin.person) if pin.person else "")
        if (
            step.kind == "discharge"
            and self.session.engine is not None
            and self.session.engine.state.escalated()
        ):
            pin = self.clinician_pin
            return pin.keypad(self.name(pin.person) if pin.person else "")
        return None

    def _actions(self, step: Step) -> tuple[list[Action], str]:
        kind = step.kind
        st = self.session.engine.state  # type: ignore[union-attr]
        sel = self.selected
        if kind == "discharge" and st.escalated():  # the core blocks discharge until a clinician clears it
            return self._clearance(", ".join(st.escalation_reasons()))
        if kind in CONFIRM_KINDS:
            return [Action("confirm", "Confirm", primary=True)], ""
        if kind == "yesno":
            return [Action("yes", "Yes", primary=True), Action("no", "No")], ""
        if kind == "side":
            return [Action(f"side:{s}", s.upper(), primary=True) for s in st.procedure.sides], ""
        if kind == "choice":
            acts = [Action(f"opt:{o}", o.replace("_", " "), o in sel) for o in step.options]
            return ([*acts, Action("done", "Done", primary=True)] if step.multiple else acts), ""
        if kind == "team":
            roster = [o.id for o in self.session.settings.operators]
            acts = [Action(f"member:{m}", self.name(m), m in sel) for m in roster]
            return [*acts, Action("done", f"Team of {len(sel)}", primary=True)], ""
        if kind == "team_confirm":
            done = st.confirmations.get(step.id, [])
            pin = self.member_pin
            acts = pin.pad([(m, f"{self.name(m)} confirms") for m in st.team()], done)
            who = self.name(pin.person) if pin.person else "choose who"
            acts.append(Action("member_ok", f"Confirm as {who} {pin.masked()}".rstrip(), primary=True))
            so_far = f"confirmed: {', '.join(map(self.name, done)) or 'nobody yet'}"
            return acts, f"{so_far} · each member touches their name and types their own PIN"
        if kind == "two_person_stop":
            said = st.stop_answers.get(step.id, {})  # one answer per person: [X] on the side they stated
            acts = [
                Action(f"stop:{m}:{s}", f"{self.name(m)}: {s.upper()}", said.get(m) == s)
                for m in st.team()
                for s in st.procedure.sides
            ]
            stated = ", ".join(f"{self.name(m)} {s.upper()}" for m, s in said.items()) or "nobody yet"
            return acts, f"side stated by: {stated} (two different people; touch the other side to restate)"
        if kind == "allergies":
            acts = [
                Action(f"allergy:{a}", al.name, a in sel)
                for a, al in self.session.catalogue.allergies.items()
            ]
            label = "No allergies" if not sel else f"Done ({len(sel)})"
            return [*acts, Action("done", label, primary=True)], ""
        if kind == "antithrombotics":
            acts = []
            for d, drug in self.session.catalogue.antithrombotics.items():
                state = self.cycle.get(d)
                suffix = "" if state is None else (": held" if state else ": NOT HELD")
                acts.append(Action(f"drug:{d}", drug.name + suffix, state is not None, unsafe=state is False))
            label = "None taken" if not self._taking() else f"Done ({len(self._taking())})"
            return [*acts, Action("done", label, primary=True)], "tap: taking & held / NOT HELD / not taking"
        if kind == "medications" and self.medications is not None:
            return self.medications.actions()
        if kind in ("number", "outcome"):
            return self._keypad(step), ""
        if kind == "injection":
            return self._injection(), self._dose_line()
        return [], f"step kind {kind} is not supported on this screen"

    def _clearance(self, why: str) -> tuple[list[Action], str]:
        """A named clinician (their PIN) and their reason, chosen from the catalogue's list."""
        reasons = self.session.catalogue.last.clear_reasons
        acts = [Action(f"clear_reason:{i}", r, i == self.clear_reason) for i, r in enumerate(reasons)]
        pin = self.clinician_pin
        acts += pin.pad([(o.id, o.name) for o in self.session.settings.operators])
        who = self.name(pin.person) if pin.person else "choose the clinician"
        acts.append(Action("clear_escalation", f"Clear for discharge: {who} {pin.masked()}".rstrip(), True))
        return acts, f"[!] ESCALATED: {why} · the clearing clinician picks their reason and types their PIN"

    def _keypad(self, step: Step) -> list[Action]:
        acts = []
        if step.measure == "function":
            acts = [Action(f"test:{t.id}", t.label, t.id == self.function_test) for t in step.tests]
        acts += key_actions(decimal=True)
        unit = f" {step.unit}" if step.unit else ""
        return [*acts, Action("ok", f"Enter {self.entry or '—'}{unit}", primary=True)]

    def _injection(self) -> list[Action]:
        return [
            Action("aspirate:negative", "Aspirate: negative", primary=True),
            Action("aspirate:positive", "Aspirate: BLOOD/CSF"),
            Action("vol:-", "− 1 mL"),
            Action("aliquot", f"Log {self.session.aliquot_ml:g} mL", primary=True),
            Action("vol:+", "+ 1 mL"),
            Action("test_dose", "Test dose"),
            Action("new_needle", "New needle"),
            Action("finish", "Finish injection"),
        ]

    def _dose_line(self) -> str:
        panel = self.session.injection_panel()  # the core's dose guard; the view only shows it
        if panel is None:
            return "no syringe drawn"
        line = f"aliquots {panel.aliquots} · {panel.total_ml:g} mL · dose {panel.fraction:.0%} of max"
        drugs = "; ".join(d.text() for d in panel.drugs)
        line += f" · syringe {panel.syringe}: {drugs} · {panel.ml_left:.1f} mL left to the maximum"
        line += f" · inject at most {panel.max_rate_ml_per_min:g} mL/min"
        warning = panel.warning_text()
        return f"{line}\n[!] {warning}" if warning else line

    def timers_line(self) -> str:
        """Running timers with their time left (pause between aliquots, observation, LAST watch...)."""
        eng = self.session.engine
        if eng is None:
            return ""
        out = []
        for name in sorted(eng.state.timers):
            left = eng.timer_remaining(name)
            if left is not None:
                out.append(f"{name.replace('_', ' ')} {int(left) // 60}:{int(left) % 60:02d}")
        return " · ".join(out)

    def _taking(self) -> list[dict[str, Any]]:
        return [{"drug": d, "held": held} for d, held in self.cycle.items() if held is not None]

    # -- input ------------------------------------------------------------------------------------
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
                return s.submit(lambda op: Answer(sid, arg, op), f"{arg.replace('_', ' ')}")
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
        if step.measure == "function":
            value = {"test": self.function_test, "value": number}
        return self.session.submit(
            lambda op: Answer(step.id, value, op), f"{step.id.replace('_', ' ')} = {number:g}"
        )

    def _done(self, step: Step) -> bool:
        sid = step.id
        value: Any
        if step.kind == "medications" and self.medications is not None:
            value = self.medications.answer()
        elif step.kind == "antithrombotics":
            value = self._taking()
        else:
            value = sorted(self.selected)
        return self.session.submit(lambda op: Answer(sid, value, op), f"{sid.replace('_', ' ')} recorded")

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
