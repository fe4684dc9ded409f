"""Per-step rules: what a valid answer is, which hard stops an answer raises, and when a step is satisfied.

Hard stops (rule ids) that only a documented override passes: consent not valid, infection at the site,
sedation without an escort, monitoring/IV or lipid kit missing, an anticoagulant not held or held for
fewer hours than its cited hold time, the side not confirmed, an allergy conflicting with a drawn
medication. The dose limit lives in :mod:`injection`.
"""

from __future__ import annotations

import math
from typing import Any

from sonocart.procedures import medications
from sonocart.procedures.catalogue import Catalogue, Step
from sonocart.procedures.catalogue_model import HOLD_TIME_RULE
from sonocart.procedures.dose import DoseError, la_components
from sonocart.procedures.rejected import InputRejected
from sonocart.procedures.state import State

__all__ = [
    "InputRejected",
    "allergy_conflicts",
    "hard_stops",
    "hold_too_short",
    "normalise_answer",
    "rejudged_with",
    "satisfied",
]


def normalise_answer(cat: Catalogue, state: State, step: Step, value: Any) -> Any:
    """Check ``value`` against the step kind and return it in its stored form."""
    kind = step.kind
    if kind == "yesno":
        if not isinstance(value, bool):
            raise InputRejected(f"{step.name}: answer yes or no")
        return value
    if kind in ("number", "outcome") and step.measure != "function":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputRejected(f"{step.name}: a number is needed")
        if (step.min is not None and value < step.min) or (step.max is not None and value > step.max):
            raise InputRejected(f"{step.name}: {value:.12g} is outside {range_words(step)}")
        return float(value)
    if kind == "outcome":
        return _function_value(step, value)
    if kind == "choice":
        chosen = list(value) if step.multiple and isinstance(value, list) else [value]
        bad = [c for c in chosen if c not in step.options]
        if bad or not chosen:
            raise InputRejected(f"{step.name}: choose from {', '.join(map(step.option_name, step.options))}")
        alone = [c for c in chosen if c in step.exclusive]
        if alone and len(set(chosen)) > 1:
            raise InputRejected(
                f'{step.name}: "{step.option_name(alone[0])}" cannot be ticked with another answer'
            )
        return chosen if step.multiple else chosen[0]
    if kind == "side":
        if value not in state.procedure.sides:
            raise InputRejected(
                f"{step.name}: the side is {' or '.join(s.upper() for s in state.procedure.sides)}"
            )
        return value
    if kind == "team":
        if (
            not isinstance(value, list)
            or not all(isinstance(v, str) and v for v in value)
            or len(set(value)) < 2
        ):
            raise InputRejected("the team needs at least two different people")
        return list(dict.fromkeys(value))
    if kind == "allergies":
        if not isinstance(value, list) or any(v not in cat.allergies for v in value):
            raise InputRejected(f"{step.name}: choose from the listed allergies (none if none)")
        return list(value)
    if kind == "antithrombotics":
        return _antithrombotics_value(cat, value)
    if kind == "medications":
        return _medications_value(cat, state, value)
    raise InputRejected(f'"{step.name}" takes a confirmation, not an answer')


def range_words(step: Step) -> str:
    """A number step's range as words: "20-300 kg", "at most 40 mmol/L"."""
    lo, hi = step.min, step.max
    span = f"{lo:g}-{hi:g}" if lo is not None and hi is not None else ""
    span = span or (f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
    return f"{span} {step.unit}".rstrip()


def _function_value(step: Step, value: Any) -> dict[str, Any]:
    tests = {t.id: t for t in step.tests}
    if not isinstance(value, dict) or value.get("test") not in tests:
        raise InputRejected(f"{step.name}: choose one of its tests ({', '.join(t.name for t in step.tests)})")
    test = tests[value["test"]]
    v = value.get("value")
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        raise InputRejected(f"{step.name}: the result is a number, 0 or more")
    if test.max is not None and v > test.max:
        raise InputRejected(f"{step.name}: {test.name} is at most {test.max:g} {test.unit}")
    out = {"test": value["test"], "value": float(v)}
    if value.get("goal"):
        out["goal"] = str(value["goal"])
    return out


def _antithrombotics_value(cat: Catalogue, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InputRejected("antithrombotics: choose from the listed drugs (none if none)")
    out = []
    for item in value:
        if not isinstance(item, dict) or item.get("drug") not in cat.antithrombotics:
            raise InputRejected("antithrombotics: choose from the listed drugs")
        if not isinstance(item.get("held"), bool):
            raise InputRejected(
                f"antithrombotics: say whether {cat.antithrombotics[item['drug']].name} was held"
            )
        out.append({"drug": item["drug"], "held": item["held"], "last_dose": item.get("last_dose", "")})
    return out


def _medications_value(cat: Catalogue, state: State, value: Any) -> list[dict[str, Any]]:
    checked = medications.syringes(cat, state.procedure, value)
    for syringe in checked:
        try:
            la_components(cat, syringe)
        except DoseError as exc:
            raise InputRejected(str(exc)) from exc
    return checked


def _drug_tags(cat: Catalogue, drug: str) -> tuple[str, ...]:
    if drug in cat.other_drugs:
        return cat.other_drugs[drug].tags
    return ()


def allergy_conflicts(cat: Catalogue, state: State) -> list[str]:
    out = []
    meds = state.answers.get("medications", [])
    for allergy_id in state.answers.get("allergies", []):
        allergy = cat.allergies[allergy_id]
        for syringe in meds:
            for part in syringe["contents"]:
                drug = part["drug"]
                la = cat.local_anaesthetics.get(drug)
                hit = (la is not None and la.la_class in allergy.forbids_la_class) or bool(
                    set(_drug_tags(cat, drug)) & set(allergy.forbids_tags)
                )
                if hit:
                    advice = f" {allergy.advice}" if allergy.advice else ""
                    out.append(
                        f"{allergy.name} allergy conflicts with {drug} in syringe {syringe['id']}.{advice}"
                    )
    return out


def hold_too_short(cat: Catalogue, state: State, hours: float) -> str:
    """The stop's words when a drug reported held was last taken fewer ``hours`` ago than its hold time
    for the procedure's bleeding-risk class (drugs.toml ``hold_hours``), else "".

    The hours are those since the last dose of any of them, so with several drugs each is judged against
    the most recent dose (the conservative reading). A drug reported not held is the not-held stop's.
    """
    risk = state.procedure.bleeding_risk
    short = []
    for item in state.answers.get("antithrombotics", []):
        drug = cat.antithrombotics[item["drug"]]
        need = drug.hours_needed(risk)
        if item["held"] and need is not None and hours < need:
            short.append(f"{drug.name} needs {hours_words(need)}")
    if not short:
        return ""
    return (
        f"HARD STOP: last anticoagulant or antiplatelet dose {hours_words(hours)} ago; "
        f"{'; '.join(short)} before {'an' if risk[0] in 'aeiou' else 'a'} {risk}-bleeding-risk procedure"
    )


def hours_words(hours: float) -> str:
    """``72`` -> "72 hours (3 days)", ``12`` -> "12 hours", ``1`` -> "1 hour"."""
    words = f"{hours:g} hour{'' if hours == 1 else 's'}"
    if hours >= 48 and hours % 24 == 0:
        words += f" ({hours / 24:g} days)"
    return words


def rejudged_with(state: State, step: Step) -> list[Step]:
    """Answered steps whose hard stops also read ``step``'s answer: judged again when it is corrected
    (the hours since the last dose are judged against the drugs the antithrombotics step lists)."""
    if step.kind != "antithrombotics":
        return []
    steps = (s for ph in state.procedure.phases for s in ph.steps)
    return [s for s in steps if s.hard_stop == HOLD_TIME_RULE and s.id in state.answers]


def hard_stops(cat: Catalogue, state: State, step: Step) -> dict[str, str]:
    """The rules this step's recorded answer or confirmations violate, with the message to show."""
    value = state.answers.get(step.id)
    out: dict[str, str] = {}
    if step.kind == "yesno" and step.hard_stop and value is not None and value != step.expect:
        out[step.hard_stop] = f"HARD STOP: {step.text} - answered {'yes' if value else 'no'}"
    if step.kind == "choice" and step.hard_stop and value in step.hard_stop_on:
        out[step.hard_stop] = f"HARD STOP: {step.text} - {value}"
    if step.kind == "antithrombotics" and value:
        risk = state.procedure.bleeding_risk
        for item in value:
            drug = cat.antithrombotics[item["drug"]]
            if not item["held"] and risk in drug.must_hold_for:
                out["anticoagulant_not_held"] = (
                    f"HARD STOP: {drug.name} not held before a {risk}-bleeding-risk procedure"
                    f" (hold: {drug.hold})"
                )
    hours = value if step.hard_stop == HOLD_TIME_RULE and isinstance(value, float) else None
    if hours is not None and (short := hold_too_short(cat, state, hours)):
        out[HOLD_TIME_RULE] = short
    if step.kind in ("medications", "allergies") and (conflicts := allergy_conflicts(cat, state)):
        out["allergy_conflict"] = "HARD STOP: " + " ".join(conflicts)
    if step.kind == "side" and step.id != "consent_side" and value is not None:
        consent = state.answers.get("consent_side")
        if value != consent:
            out["side_not_confirmed"] = (
                f"HARD STOP: time-out side {value} does not match the consent ({consent})"
            )
    if step.kind == "two_person_stop":
        consent = state.answers.get("consent_side")
        wrong = [s for s in state.stated_sides.get(step.id, []) if s != consent]
        if wrong:
            out["side_not_confirmed"] = f"HARD STOP: side stated at the stop ({wrong[0]}) is not {consent}"
    return out


def satisfied(state: State, step: Step) -> bool:
    """Whether the step has what it needs to be completed (hard stops are checked separately)."""
    who = state.confirmations.get(step.id, [])
    kind = step.kind
    if kind in ("confirm", "discharge", "follow_up"):
        return bool(who)
    if kind == "team_confirm":
        team = state.team()
        return bool(team) and all(member in who for member in team)
    if kind == "two_person_stop":
        return len(who) >= 2 and len(state.stated_sides.get(step.id, [])) >= 2
    if kind == "injection":
        return state.injection_finished_wall is not None
    if kind == "captures":
        return len(state.captures) >= int(step.min or 1)
    if kind == "observation":  # escalated: to the end of the LAST watch, unless a clinician cleared it
        return "observation" in state.expired and (not state.escalated() or "last_tail" in state.expired)
    return step.id in state.answers
