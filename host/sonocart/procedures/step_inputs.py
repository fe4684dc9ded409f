"""What an answer or a confirmation of the current step causes: its events and the hard stops it raises
or clears. Pure functions of the catalogue, the state and the input (the engine commits the result)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sonocart.journal.store import Event
from sonocart.procedures import corrections, injection
from sonocart.procedures.catalogue import Catalogue, Step
from sonocart.procedures.checks import (
    InputRejected,
    hard_stops,
    normalise_answer,
    rejudged_with,
    satisfied,
)
from sonocart.procedures.discharge import discharge_instructions
from sonocart.procedures.inputs import Answer, Confirm
from sonocart.procedures.outcomes import follow_up_dates
from sonocart.procedures.prompts import Priority
from sonocart.procedures.state import State

Events = list[tuple[str, dict[str, Any]]]
#: Step kinds a confirmation completes (the others take an answer).
CONFIRMED_KINDS = frozenset(
    {"confirm", "team_confirm", "captures", "observation", "discharge", "follow_up", "two_person_stop"}
)


def require_current(st: State, step_id: str) -> Step:
    step = st.current_step()
    if step is None:
        raise InputRejected("the procedure is complete")
    stop = st.stop_step()
    if step.kind == "injection" and stop is not None and step_id == stop.id and not st.stop_ok():
        return stop  # a new needle insertion: the two-person STOP again, within the injection step
    if step.id != step_id:
        asked = next((s.name for ph in st.procedure.phases for s in ph.steps if s.id == step_id), "")
        said = f'"{asked}" is not' if asked else "that is not a step of this procedure, nor"
        raise InputRejected(f'{said} the step on now: the step on now is "{step.name}"')
    return step


def answer(cat: Catalogue, st: State, inp: Answer) -> Events:
    step = require_current(st, inp.step)
    value = normalise_answer(cat, st, step, inp.value)
    events: Events = [("answered", {"step": step.id, "value": value})]
    if step.kind == "outcome":
        events.append(("outcome_recorded", {"measure": step.measure, "value": value, "step": step.id}))
    if step.warn_above is not None and isinstance(value, float) and value > step.warn_above:
        events.append(injection.prompt(f"warn:{step.id}", Priority.MEDIUM, step.warn_text))
    if step.id in corrections.DOSE_INPUTS:  # the maxima the dose guard and the chart note use
        events += corrections.dose_events(cat, st, {**st.answers, step.id: value})
    return events + stop_changes(cat, st, step, events)


def stop_changes(cat: Catalogue, st: State, step: Step, events: Events, operator: str = "-") -> Events:
    """The hard stops of ``step`` raised or cleared by ``events`` (applied as ``operator``'s)."""
    sim = st.fork()
    for type_, payload in events:  # as the operator's (a STOP answer is per person)
        sim.apply(Event(sim.last_seq + 1, 0.0, operator, type_, payload, ""))
    now = hard_stops(cat, sim, step)
    out: Events = []
    for rule, message in now.items():
        if rule not in st.overrides and st.hard_stops.get(rule, {}).get("message") != message:
            out.append(("hard_stop", {"rule": rule, "step": step.id, "message": message}))
    for rule in st.blocking_rules(step.id):
        if rule not in now:
            out.append(("hard_stop_cleared", {"rule": rule}))
    return out


def rejudged(cat: Catalogue, st: State, corrected: Step, events: Events) -> Events:
    """After a correction: the hard stops of the corrected step and of every step that reads its answer."""
    out: Events = []
    for step in [corrected, *rejudged_with(st, corrected)]:
        out += stop_changes(cat, st, step, events)
    return out


def confirm(cat: Catalogue, st: State, inp: Confirm, now_wall: float) -> Events:
    step = require_current(st, inp.step)
    if step.kind == "team_confirm" and inp.operator not in st.team():
        who, team = st.names.get(inp.operator, inp.operator), ", ".join(st.names.get(m, m) for m in st.team())
        raise InputRejected(f"{who} is not on the registered team ({team})")
    if step.kind == "two_person_stop":
        if inp.side is None:
            raise InputRejected("state the side at the STOP")
        was = st.stop_answers.get(step.id, {}).get(inp.operator)
        if was == inp.side:
            who = st.names.get(inp.operator, inp.operator)
            raise InputRejected(f"{who} has stated {was.upper()}: the STOP needs a second person")
        if was is not None:  # one answer per person: restating before completion is a correction
            restated: Events = [("stop_restated", {"step": step.id, "side": inp.side, "was": was})]
            return restated + stop_changes(cat, st, step, restated, inp.operator)
    elif step.kind not in CONFIRMED_KINDS:
        raise InputRejected(f'"{step.name}" takes an answer, not a confirmation')
    if step.kind == "discharge" and st.escalated():
        raise InputRejected(
            f"discharge blocked ({', '.join(st.escalation_reasons())}): a named clinician must clear it"
        )
    events: Events = [("confirmed", {"step": step.id, "side": inp.side})]
    if step.kind in ("captures", "observation") and not satisfied(st, step):
        what = "no image captured" if step.kind == "captures" else "observation time not complete"
        if step.kind == "observation" and st.escalated():
            what += f" (escalated: the {cat.last.tail_min:g}-min LAST watch)"
        rule = f"{step.id}_incomplete"
        if rule not in st.overrides:
            events.append(("hard_stop", {"rule": rule, "step": step.id, "message": f"HARD STOP: {what}"}))
    if step.kind == "discharge":
        events.append(("discharge_instructions", {"instructions": discharge_instructions(cat, st)}))
    if step.kind == "follow_up":
        day = dt.datetime.fromtimestamp(now_wall, tz=dt.UTC).date()
        dates = [d.isoformat() for d in follow_up_dates(day, step.weeks)]
        events.append(("follow_up_booked", {"weeks": list(step.weeks), "dates": dates}))
    if step.kind == "two_person_stop":
        events += stop_changes(cat, st, step, events, inp.operator)
    return events
