"""What each step kind shows: its buttons (with the keys they send), its detail line and its keypad. It
decides nothing clinical: the dose line and the escalation are the core's (``injection_panel``,
``escalated``)."""

from __future__ import annotations

from sonocart.cart.pedal_actions import CONFIRM_KINDS
from sonocart.procedures.catalogue import Step
from sonocart.procedures.expiry import timer_name
from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.keypad import KeypadView, key_actions
from sonocart_ui.viewmodels.step_state import StepState
from sonocart_ui.viewmodels.wording import given_words


class StepButtons(StepState):
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
            acts = [Action(f"opt:{o}", step.option_name(o), o in sel) for o in step.options]
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
        """The core's dose guard as facts joined by " · ", each readable alone (the 7-inch live column shows
        them one or two at a time: "4 mL" alone would read as an instruction)."""
        panel = self.session.injection_panel()  # the core's dose guard; the view only shows it
        if panel is None:
            return "no syringe drawn"
        facts = [given_words(panel.aliquots, panel.total_ml)]
        facts.append(f"dose {panel.fraction:.0%} of max")
        if panel.drugs:
            facts.append(f"syringe {panel.syringe}: " + "; ".join(d.text() for d in panel.drugs))
            facts.append(f"{panel.ml_left:.1f} mL left to the maximum")
        else:  # no local anaesthetic in it (a steroid alone): it adds nothing to the maximum
            facts.append(f"syringe {panel.syringe}: no local anaesthetic, no maximum")
        facts.append(f"inject at most {panel.max_rate_ml_per_min:g} mL/min")
        line = " · ".join(facts)
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
                out.append(f"{timer_name(name)} {int(left) // 60}:{int(left) % 60:02d}")
        return " · ".join(out)
