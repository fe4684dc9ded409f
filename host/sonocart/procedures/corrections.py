"""Correcting an earlier answer, and the limits derived from answers (the dose maxima from the weight).

A correction is journaled as ``answer_corrected`` with the old and the new value (who and when are the
event's own), then everything derived from that answer is judged again: the step's hard stops, and for
the weight or the medications the per-drug maxima (``dose_limits``) and the fraction of the maximum
already given (``dose_recomputed``), so a corrected weight changes the maximum dose at once.
"""

from __future__ import annotations

from typing import Any

from sonocart.procedures.catalogue import Catalogue, Step
from sonocart.procedures.checks import InputRejected, normalise_answer
from sonocart.procedures.dose import la_components, limit_mg, tally
from sonocart.procedures.prompts import Priority
from sonocart.procedures.state import State

Events = list[tuple[str, dict[str, Any]]]
#: Answers the dose maxima are computed from.
DOSE_INPUTS = frozenset({"weight_kg", "medications"})
#: Kinds an earlier answer may be corrected in. The side changes only through its override; the team
#: and the drawn syringes are set again at their own steps, not rewritten afterwards.
CORRECTABLE = frozenset({"yesno", "number", "choice", "outcome", "allergies", "antithrombotics"})
MIN_REASON = 5


def correct(cat: Catalogue, state: State, step_id: str, value: Any, reason: str) -> tuple[Step, Events]:
    """The events of correcting ``step_id``'s answer to ``value`` (raises InputRejected)."""
    step = next((s for ph in state.procedure.phases for s in ph.steps if s.id == step_id), None)
    if step is None:
        raise InputRejected(f"that is not a step of {state.procedure.name}")
    if step_id not in state.answers:
        raise InputRejected(f'"{step.name}" has no answer yet: answer it at its step')
    if step.kind not in CORRECTABLE:
        raise InputRejected(f'"{step.name}" is not corrected here')
    if len(reason.strip()) < MIN_REASON:
        raise InputRejected("a correction needs its reason")
    new = normalise_answer(cat, state, step, value)
    old = state.answers[step_id]
    if new == old:
        raise InputRejected(f'"{step.name}" already has that answer')
    events: Events = [
        ("answer_corrected", {"step": step_id, "old": old, "new": new, "reason": reason.strip()})
    ]
    if step.kind == "outcome":
        events.append(("outcome_recorded", {"measure": step.measure, "value": new, "step": step_id}))
    if step_id in DOSE_INPUTS:
        answers = {**state.answers, step_id: new}
        events += dose_events(cat, state, answers)
    return step, events


def dose_events(cat: Catalogue, state: State, answers: dict[str, Any]) -> Events:
    """The dose maxima for ``answers`` and, if anything has been given, its fraction of them recomputed."""
    limits = dose_limits(cat, answers)
    if limits is None:
        return []
    events: Events = [("dose_limits", limits)]
    if not state.aliquots:
        return events
    weight = float(answers["weight_kg"])
    meds = {m["id"]: m for m in answers.get("medications", [])}
    given = [(c, a.volume_ml) for a in state.aliquots for c in la_components(cat, meds.get(a.syringe, {}))]
    after = tally(cat, given, weight).fraction
    events.append(
        ("dose_recomputed", {"fraction_before": state.dose_fraction, "fraction_after": round(after, 4)})
    )
    if after > 1.0 + 1e-9 and "dose_exceeded" not in state.prompts:
        text = f"Local anaesthetic dose now {after:.0%} of the maximum for the corrected {weight:g} kg."
        events.append(
            ("prompt_raised", {"id": "dose_exceeded", "priority": Priority.HIGH.name, "text": text})
        )
    return events


def dose_limits(cat: Catalogue, answers: dict[str, Any]) -> dict[str, Any] | None:
    """Each drawn drug with its strength and, for a local anaesthetic, its maximum (mg) for the weight."""
    weight, meds = answers.get("weight_kg"), answers.get("medications")
    if weight is None or not meds:
        return None
    drugs = []
    for syringe in meds:
        las = {c.drug: c for c in la_components(cat, syringe)}
        for part in syringe["contents"]:
            c = las.get(part["drug"])
            drugs.append(
                {
                    "syringe": syringe["id"],
                    "drug": part["drug"],
                    "name": cat.drug_name(part["drug"]),
                    "mg_per_ml": c.mg_per_ml if c else part.get("mg_per_ml"),
                    "epinephrine": bool(part.get("epinephrine", False)),
                    "max_mg": None
                    if c is None
                    else round(limit_mg(cat, c.drug, c.epinephrine, float(weight)), 1),
                }
            )
    return {"weight_kg": float(weight), "drugs": drugs}
