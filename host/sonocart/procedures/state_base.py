"""What the procedure state holds and what it answers: its fields, what-if copies and the queries.

:class:`StateBase` is the data and the questions asked of it (the current step, the confirmed side,
whether the STOP is complete, why the observation is escalated, which prompts have lapsed);
:class:`sonocart.procedures.state.State` adds the fold that is the only thing that changes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from sonocart.procedures.catalogue import Procedure, Step
from sonocart.procedures.catalogue_model import ESCALATION_TRIGGERS
from sonocart.procedures.prompts import Prompt

#: Each prompt condition of the alarm table (catalogue/alarms.toml ``holds_while``) in words.
CONDITION_WORDS = {
    "last_active": "LAST mode",
    "escalated": "the escalated observation",
    "dose_over_max": "the dose over the maximum",
    "blood_aspirated": "the positive aspiration",
    "image_lost": "the image loss",
}


def _no_short_form(_prompt_id: str) -> str:
    return ""


@dataclass
class Timer:
    name: str
    started_wall: float
    duration_s: float

    @property
    def due_wall(self) -> float:
        return self.started_wall + self.duration_s


@dataclass
class Aliquot:
    seq: int
    wall: float
    syringe: str
    volume_ml: float
    mg_by_drug: dict[str, float]
    fraction_after: float
    rate_ml_per_min: float | None
    via: str
    operator: str
    over_limit: bool
    flags: tuple[str, ...] = ()


@dataclass
class StateBase:
    """The fields of a procedure's state and the queries on them (the fold is :class:`State`'s)."""

    procedure: Procedure
    patient: dict[str, Any] = field(default_factory=dict)
    record_id: str = ""
    opened_wall: float = 0.0
    phase_index: int = 0
    step_index: int = 0
    completed: bool = False
    answers: dict[str, Any] = field(default_factory=dict)
    confirmations: dict[str, list[str]] = field(default_factory=dict)
    stated_sides: dict[str, list[str]] = field(default_factory=dict)
    #: At the two-person STOP: each person's one answer (restating replaces it).
    stop_answers: dict[str, dict[str, str]] = field(default_factory=dict)
    hard_stops: dict[str, dict[str, Any]] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    prompts: dict[str, Prompt] = field(default_factory=dict)
    timers: dict[str, Timer] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)
    # Injection.
    needle_count: int = 1
    aspirated_negative_wall: float | None = None
    aliquots: list[Aliquot] = field(default_factory=list)
    dose_fraction: float = 0.0
    mg_by_drug: dict[str, float] = field(default_factory=dict)
    test_doses: int = 0
    injection_finished_wall: float | None = None
    press_ids: dict[str, int] = field(default_factory=dict)
    # Elsewhere.
    captures: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    last_active: bool = False
    blood_aspirated: bool = False
    image_lost: bool = False
    positive_aspirations: int = 0
    last_used: bool = False
    escalation_cleared: dict[str, Any] | None = None
    #: Which events escalate the observation (catalogue last.toml [escalation]).
    escalate_on: tuple[str, ...] = ESCALATION_TRIGGERS
    #: A prompt id's short form from the alarm table (Catalogue.short_form): derived when the prompt is
    #: built, never journaled, so an old journal replays unchanged.
    short_form: Callable[[str], str] = field(default=_no_short_form, compare=False, repr=False)
    last_actions: list[dict[str, Any]] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    follow_up_weeks: list[int] = field(default_factory=list)
    discharge_given: list[str] = field(default_factory=list)
    #: Earlier answers corrected: step, old, new, reason, who, when (in order).
    corrections: list[dict[str, Any]] = field(default_factory=list)
    #: The drawn drugs with their maxima for the weight (recomputed when either is corrected).
    dose_limits: dict[str, Any] = field(default_factory=dict)
    #: Roster names by operator id, as the cart knew them when the record was opened.
    names: dict[str, str] = field(default_factory=dict)
    last_seq: int = 0

    # ---- what-if copies --------------------------------------------------------------------------------
    def fork(self) -> Self:
        """A copy the engine may apply trial events to without touching this state, at the cost of its
        containers, not of everything in them (``copy.deepcopy`` made each input slower as the record grew).

        Safe because the fold replaces or appends items and never mutates one in place, except the
        per-step containers (``confirmations``, ``stated_sides`` lists, ``stop_answers`` dicts), which
        are copied one level deeper.
        """
        twin = dataclasses.replace(self)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dict):
                setattr(twin, f.name, {k: _shallow(v) for k, v in value.items()})
            elif isinstance(value, list):
                setattr(twin, f.name, list(value))
            elif isinstance(value, set):
                setattr(twin, f.name, set(value))
        return twin

    # ---- queries -------------------------------------------------------------------------------------
    def current_step(self) -> Step | None:
        if self.completed:
            return None
        return self.procedure.phases[self.phase_index].steps[self.step_index]

    def current_phase_id(self) -> str:
        return "completed" if self.completed else self.procedure.phases[self.phase_index].id

    def team(self) -> list[str]:
        return list(self.answers.get("team", []))

    def proposed_side(self) -> str | None:
        """A side other than the consent's stated at the time-out or the STOP, else None."""
        consent = self.answers.get("consent_side")
        stop = self.stop_step()
        stated = [self.answers.get("timeout_side"), *self.stated_sides.get(stop.id if stop else "", [])]
        return next((str(s) for s in stated if s is not None and s != consent), None)

    def confirmed_side(self) -> str | None:
        """The side to keep on screen: the consent's, unless a documented override changed it."""
        changed = self.overrides.get("side_not_confirmed", {}).get("side_to")
        side = changed or self.answers.get("consent_side")
        return None if side is None else str(side)

    def side_change(self) -> str:
        """The visible note when the side differs from the consent's (only ever through an override)."""
        ov = self.overrides.get("side_not_confirmed")
        if not ov or not ov.get("side_to"):
            return ""
        who = " and ".join(x for x in (ov["operator"], ov.get("second_operator", "")) if x)
        return f"side changed from {str(ov.get('side_from') or '?').upper()} — overridden by {who}"

    def stop_step(self) -> Step | None:
        for phase in self.procedure.phases:
            for step in phase.steps:
                if step.kind == "two_person_stop":
                    return step
        return None

    def stop_ok(self) -> bool:
        """Two different people have stated the consented side at the STOP for the needle now in place."""
        stop = self.stop_step()
        if stop is None:
            return False
        sides = self.stated_sides.get(stop.id, [])
        consent = self.answers.get("consent_side")
        return (
            len(self.confirmations.get(stop.id, [])) >= 2
            and len(sides) >= 2
            and ("side_not_confirmed" in self.overrides or all(s == consent for s in sides))
        )

    def escalation_reasons(self) -> list[str]:
        """Why the observation runs to the end of the LAST watch and discharge needs a clinician."""
        facts = {
            "dose_over_max": ("local anaesthetic dose over the maximum", self.dose_fraction > 1.0 + 1e-9),
            "blood_aspirated": ("blood on aspiration", self.positive_aspirations > 0),
            "suspected_last": ("suspected LAST", "suspected_last" in self.answers.get("complications", [])),
            "last_mode": ("LAST emergency mode used", self.last_used),
        }
        return [facts[t][0] for t in self.escalate_on if facts[t][1]]

    def escalated(self) -> bool:
        """Escalated and not yet cleared by a named clinician."""
        return self.escalation_cleared is None and bool(self.escalation_reasons())

    def condition(self, name: str) -> bool:
        """Whether a prompt condition of the alarm table (catalogue/alarms.toml) holds now."""
        if name == "last_active":
            return self.last_active
        if name == "escalated":
            return self.escalated()
        if name == "dose_over_max":
            return self.dose_fraction > 1.0 + 1e-9 and self.escalation_cleared is None
        if name == "blood_aspirated":
            return self.blood_aspirated
        if name == "image_lost":
            return self.image_lost
        return False

    def lapsed_prompts(self) -> dict[str, str]:
        """Prompts whose condition, step or phase has ended, with why in words (the engine journals each
        expiry; the chart note prints the why): the step's name, the phase's title, the condition's words."""
        out = {}
        step = self.current_step()
        step_id, phase = (step.id if step else ""), self.current_phase_id()
        phases = {ph.id: ph for ph in self.procedure.phases}
        for p in self.prompts.values():
            if p.holds_while and not self.condition(p.holds_while):
                out[p.id] = f"{CONDITION_WORDS.get(p.holds_while, 'its condition')} ended"
            elif p.expires == "step" and (p.phase, p.step) != (phase, step_id):
                at = phases.get(p.phase)
                was = next((st for st in at.steps if st.id == p.step), None) if at else None
                out[p.id] = f"step ended: {was.name if was else 'an earlier step'}"
            elif p.expires == "phase" and p.phase != phase:
                out[p.id] = (
                    f"phase ended: {phases[p.phase].title if p.phase in phases else 'an earlier phase'}"
                )
        return out

    def blocking_rules(self, step_id: str | None = None) -> list[str]:
        return [r for r, hs in self.hard_stops.items() if step_id is None or hs.get("step") == step_id]


def _shallow(value: object) -> object:
    """A copy of a per-step container (list, dict or set), else the value itself (never mutated)."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, set):
        return set(value)
    return value
