"""LAST emergency mode: the ASRA checklist, the lipid emulsion plan and its timers, every action journaled.

Available at any moment, whatever the phase; while it is active no local anaesthetic can be logged.
"""

from __future__ import annotations

from typing import Any

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import EndLast, LastAction, StartLast
from sonocart.procedures.lipid import lipid_plan
from sonocart.procedures.prompts import Priority
from sonocart.procedures.state import State

Events = list[tuple[str, dict[str, Any]]]
BOLUS_TIMER = "lipid_bolus"
REPEAT_TIMER = "lipid_repeat_bolus_check"
INFUSION_TIMER = "lipid_infusion"
LAST_PROMPT = "last_emergency"


def decide(cat: Catalogue, state: State, inp: StartLast | LastAction | EndLast, now: float) -> Events:
    rules = cat.last
    if isinstance(inp, StartLast):
        if state.last_active:
            raise InputRejected("LAST mode is already active")
        weight = state.answers.get("weight_kg")
        plan_text = (
            lipid_plan(rules.lipid, float(weight)).describe() if weight else "weight unknown: enter it"
        )
        events: Events = [
            ("last_started", {"plan": plan_text, "checklist": [s.id for s in rules.steps]}),
            (
                "prompt_raised",
                {"id": LAST_PROMPT, "priority": Priority.HIGH.name, "text": f"LAST EMERGENCY. {plan_text}"},
            ),
        ]
        if "aliquot_pause" in state.timers:
            events.append(("timer_cancelled", {"name": "aliquot_pause"}))
        return events
    if not state.last_active:
        raise InputRejected("LAST mode is not active")
    if isinstance(inp, EndLast):
        if len(inp.reason.strip()) < 5:
            raise InputRejected("ending LAST mode needs a reason")
        events = [("last_ended", {"reason": inp.reason}), ("prompt_acknowledged", {"id": LAST_PROMPT})]
        events += [
            ("timer_cancelled", {"name": n})
            for n in (BOLUS_TIMER, REPEAT_TIMER, INFUSION_TIMER)
            if n in state.timers
        ]
        return events
    step = next((s for s in rules.steps if s.id == inp.step), None)
    if step is None:
        raise InputRejected(f"unknown LAST step {inp.step!r}; steps: {[s.id for s in rules.steps]}")
    detail = dict(inp.detail)
    events = []
    raw_weight = state.answers.get("weight_kg", detail.get("weight_kg"))
    if step.starts_timer and raw_weight is None:
        raise InputRejected("the lipid dose needs the patient's weight")
    weight = float(raw_weight or 0.0)
    if step.starts_timer == BOLUS_TIMER:
        plan = lipid_plan(rules.lipid, weight)
        detail.setdefault("bolus_ml", plan.bolus_ml)
        events.append(
            (
                "timer_started",
                {"name": BOLUS_TIMER, "duration_s": plan.bolus_minutes[1] * 60, "started_wall": now},
            )
        )
        events.append(
            (
                "timer_started",
                {
                    "name": REPEAT_TIMER,
                    "duration_s": rules.lipid.repeat_bolus_after_min * 60,
                    "started_wall": now,
                },
            )
        )
    elif step.starts_timer == INFUSION_TIMER:
        plan = lipid_plan(rules.lipid, weight)
        minutes = plan.infusion_minutes[1] if plan.infusion_minutes else 15.0
        if plan.infusion_ml_per_min is not None:
            detail.setdefault("rate_ml_per_min", plan.infusion_ml_per_min)
        elif plan.infusion_ml is not None:
            detail.setdefault("volume_ml", plan.infusion_ml[1])
        events.append(
            ("timer_started", {"name": INFUSION_TIMER, "duration_s": minutes * 60, "started_wall": now})
        )
    return [("last_action", {"step": step.id, "text": step.text, "detail": detail}), *events]
