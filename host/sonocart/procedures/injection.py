"""Injection-phase decisions: stop before each needle, aspiration before each aliquot, pauses, dose.

Each function returns the events to journal for one input (``(type, payload)`` pairs) or raises
:class:`InputRejected`. The dose guard acts before the fact: a negative aspiration with the next aliquot's
volume warns when that aliquot would cross 80 % (MEDIUM) or 100 % (HIGH) of the maximum, and the dose hard
stop is raised when even the smallest aliquot would pass it. An aliquot already given is always recorded
as given: one logged without a negative aspiration, inside the pause or the test-dose watch, or past the
dose hard stop is recorded with those flags (and a prompt), never refused, so the total never under-counts
what the patient received.

There is no injection-rate alarm: the cart cannot see the plunger, and a rate inferred from the time
between two button presses was wrong both ways (false alarms; none when logged late). The cited maximum
rate is shown on the injection panel as advice instead.
"""

from __future__ import annotations

from typing import Any

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.dose import Component, la_components, tally
from sonocart.procedures.dose_panel import crossing, injection_panel
from sonocart.procedures.medications import syringe_words
from sonocart.procedures.prompts import Priority
from sonocart.procedures.state import State

Events = list[tuple[str, dict[str, Any]]]
PAUSE_TIMER = "aliquot_pause"
TEST_DOSE_TIMER = "test_dose_watch"
#: Each lapse as the record's ``flags`` name it, and as the prompt says it: short words read at a glance, each
#: lapse still named, so that the prompt fits whole in the nav bar's band at 7 inches (docs/ui.md).
LAPSE_WORDS = {
    "no negative aspiration before it": "with no negative aspiration",
    "inside the pause between aliquots": "inside the pause",
    "during the test-dose watch": "during the test-dose watch",
    "past the dose hard stop": "past the dose hard stop",
}


def prompt(pid: str, priority: Priority, text: str) -> tuple[str, dict[str, Any]]:
    return ("prompt_raised", {"id": pid, "priority": priority.name, "text": text})


def _in_injection(state: State) -> None:
    step = state.current_step()
    if step is None or step.kind != "injection":
        raise InputRejected("not in the injection step")
    if state.last_active:
        raise InputRejected("LAST emergency mode is active: no further local anaesthetic")


def _syringe(cat: Catalogue, state: State, syringe_id: str | None) -> dict[str, Any]:
    meds: list[dict[str, Any]] = state.answers.get("medications", [])
    if syringe_id is None:
        if len(meds) != 1:
            raise InputRejected(f"say which syringe: {' or '.join(syringe_words(cat, m) for m in meds)}")
        return meds[0]
    for syringe in meds:
        if syringe["id"] == syringe_id:
            return syringe
    raise InputRejected(f'no syringe "{syringe_id}" was drawn and labelled')


def aspirate(cat: Catalogue, state: State, result: str, planned_ml: float | None = None) -> Events:
    _in_injection(state)
    if result not in ("negative", "positive"):
        raise InputRejected("aspiration result is negative or positive")
    if not state.stop_ok():
        raise InputRejected("two-person STOP needed before this needle insertion")
    events: Events = [("aspirated", {"result": result})]
    if result == "negative" and "dose_above_limit" not in state.overrides:
        events += _next_aliquot_check(cat, state)
    if result == "negative" and planned_ml is not None:
        events += _planned_aliquot_warning(cat, state, planned_ml)
    if result == "positive":
        events.append(
            prompt(
                "positive_aspiration",
                Priority.HIGH,
                "Positive aspiration: do not inject. Reposition the needle and aspirate again.",
            )
        )
    return events


def _next_aliquot_check(cat: Catalogue, state: State) -> Events:
    """Before injecting: would even the smallest aliquot from any drawn syringe pass the maximum dose?"""
    weight = float(state.answers["weight_kg"])
    smallest = state.procedure.injection.aliquot_ml[0]
    worst = max(
        tally(
            cat, [*_all_doses(cat, state), *((c, smallest) for c in la_components(cat, s))], weight
        ).fraction
        for s in state.answers.get("medications", [])
    )
    if worst <= 1.0 + 1e-9:
        return []
    return [
        (
            "hard_stop",
            {
                "rule": "dose_above_limit",
                "step": "inject",
                "message": (
                    f"HARD STOP: another {smallest:g} mL aliquot would bring the local anaesthetic dose to "
                    f"{worst:.0%} of the maximum for {weight:g} kg."
                ),
            },
        )
    ]


def _planned_aliquot_warning(cat: Catalogue, state: State, planned_ml: float) -> Events:
    """Before the next aliquot of ``planned_ml``: would it cross 80 % or 100 % of the maximum?"""
    meds = state.answers.get("medications", [])
    panel = injection_panel(cat, state, planned_ml, meds[0]["id"] if len(meds) == 1 else None)
    if panel is None or not panel.warning:
        return []
    if panel.warning == "exceed":
        return [prompt("dose_will_exceed", Priority.HIGH, f"STOP: the {panel.warning_text()}.")]
    return [prompt("dose_will_approach", Priority.MEDIUM, f"Dose check: the {panel.warning_text()}.")]


def _all_doses(cat: Catalogue, state: State) -> list[tuple[Component, float]]:
    doses = []
    for a in state.aliquots:
        for comp in la_components(cat, _syringe(cat, state, a.syringe)):
            doses.append((comp, a.volume_ml))
    return doses


def log_aliquot(
    cat: Catalogue,
    state: State,
    volume_ml: float,
    syringe_id: str | None,
    via: str,
    press_id: str | None,
    now_wall: float,
    pause_running: bool,
    test_dose: bool = False,
) -> Events:
    _in_injection(state)
    rules = state.procedure.injection
    if not state.stop_ok():
        raise InputRejected("two-person STOP needed before this needle insertion")
    # Already given: recorded whatever was skipped, each lapse flagged on the record and on screen.
    flags = [
        flag
        for flag, lapsed in (
            ("no negative aspiration before it", state.aspirated_negative_wall is None),
            ("inside the pause between aliquots", pause_running),
            ("during the test-dose watch", TEST_DOSE_TIMER in state.timers),
            ("past the dose hard stop", "dose_above_limit" in state.hard_stops),
        )
        if lapsed
    ]
    if not 0 < volume_ml <= 50:
        raise InputRejected(f"aliquot volume {volume_ml} mL is not plausible")
    syringe = _syringe(cat, state, syringe_id)
    weight = float(state.answers["weight_kg"])
    comps = la_components(cat, syringe)
    after = tally(cat, [*_all_doses(cat, state), *((c, volume_ml) for c in comps)], weight)
    this = {c.drug: round(c.mg_per_ml * volume_ml, 3) for c in comps}
    events: Events = []
    over = after.fraction > 1.0 + 1e-9
    events.append(
        (
            "aliquot_logged",
            {
                "syringe": syringe["id"],
                "volume_ml": volume_ml,
                "mg_by_drug": this,
                "fraction_after": round(after.fraction, 4),
                "via": via,
                "flags": flags,
                "press_id": press_id,
                "over_limit": over,
                "test_dose": test_dose,
            },
        )
    )
    if flags:
        events.append(
            prompt(
                f"no_aspiration:{state.last_seq + 1}",
                Priority.MEDIUM,
                f"{volume_ml:g} mL given {', '.join(LAPSE_WORDS[f] for f in flags)}: aspirate and wait"
                " before the next.",
            )
        )
    if over and "dose_above_limit" not in state.overrides and "dose_above_limit" not in state.hard_stops:
        # What was given is recorded as given; going on needs a documented override.
        events.append(
            (
                "hard_stop",
                {
                    "rule": "dose_above_limit",
                    "step": "inject",
                    "message": (
                        f"HARD STOP: local anaesthetic dose now {after.fraction:.0%} of the maximum for "
                        f"{weight:g} kg. No more without a documented override."
                    ),
                },
            )
        )
        events.append(
            prompt(
                "dose_exceeded",
                Priority.HIGH,
                f"Maximum local anaesthetic dose exceeded ({after.fraction:.0%}): watch for LAST.",
            )
        )
    lo, hi = rules.aliquot_ml
    if not test_dose and volume_ml > hi:
        events.append(
            prompt(
                f"large_aliquot:{state.last_seq + 1}",
                Priority.MEDIUM,
                f"Aliquot {volume_ml:g} mL is above {hi:g} mL: inject in {lo:g}-{hi:g} mL aliquots.",
            )
        )
    before = state.dose_fraction
    if crossing(before, after.fraction) == "approach":
        events.append(
            prompt(
                "dose_approaching_limit",
                Priority.MEDIUM,
                f"Local anaesthetic dose at {after.fraction:.0%} of the maximum for {weight:g} kg.",
            )
        )
    if test_dose:
        events.append(
            (
                "timer_started",
                {"name": TEST_DOSE_TIMER, "duration_s": rules.test_dose_watch_s, "started_wall": now_wall},
            )
        )
    else:
        events.append(
            ("timer_started", {"name": PAUSE_TIMER, "duration_s": rules.pause_s, "started_wall": now_wall})
        )
    return events


def finish(state: State, now_wall: float, onset_s: float, tail_s: float) -> Events:
    _in_injection(state)
    if not state.aliquots:
        raise InputRejected("no aliquot logged: log the injection, or override with a note")
    events: Events = [
        ("injection_finished", {"aliquots": len(state.aliquots), "mg_by_drug": state.mg_by_drug})
    ]
    if "dose_above_limit" in state.hard_stops:
        events.append(("hard_stop_cleared", {"rule": "dose_above_limit", "reason": "injection finished"}))
    if PAUSE_TIMER in state.timers:
        events.append(("timer_cancelled", {"name": PAUSE_TIMER}))
    events += [
        ("timer_started", {"name": "last_onset", "duration_s": onset_s, "started_wall": now_wall}),
        ("timer_started", {"name": "last_tail", "duration_s": tail_s, "started_wall": now_wall}),
        prompt(
            "last_watch",
            Priority.LOW,
            "LAST watch started: most toxicity shows 1-5 min after injection; keep watching up to 60 min.",
        ),
    ]
    return events
