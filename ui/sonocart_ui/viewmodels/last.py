"""LAST emergency mode as the screen shows it: the engine's checklist, lipid plan and timers, and its inputs.

Nothing here decides anything clinical: the steps and doses come from the catalogue through the engine
(``sonocart.procedures.last_mode``, ``lipid.lipid_plan``), and every touch is an engine input sent through
the session so it is journaled with the operator. Starting needs a second, deliberate touch so a brush
against the always-visible button cannot raise a HIGH emergency by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sonocart.cart.session import CartSession
from sonocart.procedures.inputs import EndLast, LastAction, StartLast
from sonocart.procedures.last_mode import BOLUS_TIMER, INFUSION_TIMER, REPEAT_TIMER
from sonocart.procedures.lipid import LipidPlan, lipid_plan

#: What each LAST timer means to the team, in the order they are shown.
TIMER_LABELS = {
    BOLUS_TIMER: "lipid bolus (max. duration)",
    REPEAT_TIMER: "reassess: repeat bolus if still unstable",
    INFUSION_TIMER: "lipid infusion",
}


@dataclass(frozen=True)
class LastStepRow:
    id: str
    text: str
    times_done: int
    last_by: str

    @property
    def label(self) -> str:
        """The step's button: a filled mark and who did it, not colour alone."""
        if not self.times_done:
            return "Done"
        again = f" x{self.times_done}" if self.times_done > 1 else ""
        return f"[X] done{again} · {self.last_by}"


@dataclass(frozen=True)
class TimerRow:
    name: str
    label: str
    remaining_s: float

    @property
    def text(self) -> str:
        if self.remaining_s <= 0:
            return f"{self.label}: TIME UP"
        m, s = divmod(int(self.remaining_s + 0.999), 60)
        return f"{self.label}: {m}:{s:02d} left"


class LastViewModel:
    def __init__(self, session: CartSession) -> None:
        self.session = session
        self.confirming = False  # the start button was touched once; a second touch starts LAST mode

    # -- what the screen shows ----------------------------------------------------------------------
    def active(self) -> bool:
        return self.session.last_active()

    def weight_kg(self) -> float | None:
        """The recorded weight, else the one given on the start screen (before the sign-in step)."""
        eng = self.session.engine
        raw = None if eng is None else eng.state.answers.get("weight_kg")
        if raw is None:
            raw = self.session.prefill.get("weight_kg")
        return None if raw is None else float(raw)

    def plan(self) -> LipidPlan | None:
        weight = self.weight_kg()
        if weight is None:
            return None
        return lipid_plan(self.session.catalogue.last.lipid, weight)

    def plan_lines(self) -> list[str]:
        plan = self.plan()
        if plan is None:
            return ["[!] weight unknown: lipid dose cannot be calculated"]
        bolus_min = f"{plan.bolus_minutes[0]:g}-{plan.bolus_minutes[1]:g} min"
        if plan.infusion_ml is not None and plan.infusion_minutes is not None:
            infusion = (
                f"infusion {plan.infusion_ml[0]:g}-{plan.infusion_ml[1]:g} mL over "
                f"{plan.infusion_minutes[0]:g}-{plan.infusion_minutes[1]:g} min"
            )
        else:
            infusion = f"infusion {plan.infusion_ml_per_min:g} mL/min"
        return [
            f"20% lipid emulsion for {plan.weight_kg:g} kg",
            f"bolus {plan.bolus_ml:g} mL over {bolus_min}",
            infusion,
            f"upper limit about {plan.upper_limit_ml:g} mL",
        ]

    def steps(self) -> list[LastStepRow]:
        eng = self.session.engine
        actions: list[dict[str, Any]] = [] if eng is None else eng.state.last_actions
        rows = []
        for step in self.session.catalogue.last.steps:
            done = [a for a in actions if a["step"] == step.id]
            by = self.session.person_name(done[-1]["operator"]) if done else ""
            rows.append(LastStepRow(step.id, step.text, len(done), by))
        return rows

    def timers(self) -> list[TimerRow]:
        eng = self.session.engine
        if eng is None:
            return []
        out = []
        for name, label in TIMER_LABELS.items():
            remaining = eng.timer_remaining(name)
            if remaining is not None:
                out.append(TimerRow(name, label, remaining))
        return out

    # -- what the screen sends ----------------------------------------------------------------------
    def press_start(self) -> bool:
        """First touch asks for confirmation; the second starts LAST mode. True once started."""
        if not self.confirming:
            self.confirming = True
            self.session.say("touch CONFIRM to start LAST mode")
            return False
        self.confirming = False
        return self.session.submit(StartLast, "LAST mode started")

    def cancel_start(self) -> None:
        self.confirming = False
        self.session.changed()

    def done(self, step_id: str) -> bool:
        """One checklist step done; lipid steps carry the weight when sign-in has not recorded it yet."""
        step = next((s for s in self.session.catalogue.last.steps if s.id == step_id), None)
        detail: dict[str, Any] = {}
        eng = self.session.engine
        weight = self.weight_kg()
        recorded = eng is not None and "weight_kg" in eng.state.answers
        if step is not None and step.starts_timer and not recorded and weight is not None:
            detail["weight_kg"] = weight
        short = step_id if step is None else step.text.split(".")[0].split(";")[0]
        return self.session.submit(lambda op: LastAction(step_id, op, detail), f"LAST: {short}")

    def end(self, reason: str) -> bool:
        return self.session.submit(lambda op: EndLast(reason, op), "LAST mode ended")
