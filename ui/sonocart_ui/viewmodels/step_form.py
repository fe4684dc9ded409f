"""The current checklist step as buttons: what to show and which engine input each button sends.

One form serves every step kind the catalogue has (confirm, yes/no, number, choice, side, team,
allergies, antithrombotics, medications, two-person STOP, injection, outcomes...). It decides nothing
clinical: the engine validates every answer and raises its hard stops; this only lays out the choices.
Its parts: the state kept between touches (step_state.py), the buttons each kind shows (step_buttons.py),
the input each button sends (step_input.py) and the view they make (step_view.py).
"""

from __future__ import annotations

from sonocart.cart.pedal_actions import CONFIRM_KINDS
from sonocart.procedures.holds import holds
from sonocart.procedures.patient import identifiers_line
from sonocart.procedures.prompts import Priority
from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.column import NBSP, page_of
from sonocart_ui.viewmodels.step_buttons import StepButtons
from sonocart_ui.viewmodels.step_input import StepInput
from sonocart_ui.viewmodels.step_view import NO_STEP, SUBMIT_KEYS, StepView

__all__ = ["CONFIRM_KINDS", "NO_STEP", "SUBMIT_KEYS", "Action", "StepForm", "StepView"]


class StepForm(StepButtons, StepInput):
    def view(self) -> StepView:
        eng = self.session.engine
        step = self.session.current_step()
        if eng is None or step is None:
            return NO_STEP
        self._sync(step)
        st = eng.state
        phase = st.procedure.phases[st.phase_index]
        # a phase of one step has no progress to say ("Injection · step 1 of 1" is noise)
        # and it wraps whole: "Prep, Stop, Block ·" above "step 1 of 2", never "step 1 of" above "2"
        progress = f"step{NBSP}{page_of(st.step_index, len(phase.steps))}" if len(phase.steps) > 1 else ""
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
