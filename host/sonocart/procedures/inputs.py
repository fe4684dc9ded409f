"""Everything that can drive the engine: touch, pedal and scripts submit these same inputs.

Each input names the operator who gave it; the journal stores that id with every event it causes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Answer:
    """The answer to the current step: bool, number, choice, or the structured value its kind expects."""

    step: str
    value: Any
    operator: str


@dataclass(frozen=True)
class Confirm:
    """A person confirms the current step; ``side`` is stated aloud at the two-person stop.

    A team member confirming the time-out gives their own ``pin``, which the cart checks at its input
    boundary (the engine never sees it checked, and it is never journaled)."""

    step: str
    operator: str
    side: str | None = None
    pin: str = field(default="", repr=False)


@dataclass(frozen=True)
class Override:
    """A documented decision to go past a hard stop: who and why.

    Some stops (wrong side, overdose, consent: catalogue/alarms.toml) also need ``second_operator``,
    whose ``second_pin`` the cart checks at its input boundary; the PIN is never journaled."""

    rule: str
    reason: str
    operator: str
    second_operator: str = ""
    second_pin: str = field(default="", repr=False)


@dataclass(frozen=True)
class Acknowledge:
    prompt_id: str
    operator: str


@dataclass(frozen=True)
class AcknowledgeTop:
    """The pedal's "acknowledge": acknowledges the highest-priority prompt shown (never a hard stop).

    ``press_id`` makes a press delivered twice act once."""

    operator: str
    press_id: str | None = None


@dataclass(frozen=True)
class Aspirate:
    """Aspiration result before an aliquot: ``negative`` or ``positive`` (blood/CSF).

    ``planned_ml``, the volume about to be injected, lets the dose guard warn before the fact."""

    result: str
    operator: str
    planned_ml: float | None = None


@dataclass(frozen=True)
class LogAliquot:
    """One aliquot injected. ``press_id`` (the pedal's press number) makes a repeated delivery act once."""

    volume_ml: float
    operator: str
    syringe: str | None = None
    via: str = "touch"
    press_id: str | None = None


@dataclass(frozen=True)
class TestDose:
    """Epinephrine-containing test dose given: starts the 30-60 s watch."""

    __test__ = False  # not a pytest class
    volume_ml: float
    operator: str
    syringe: str | None = None


@dataclass(frozen=True)
class NewNeedle:
    """The needle is withdrawn for another insertion: the next one needs its own two-person stop."""

    operator: str


@dataclass(frozen=True)
class FinishInjection:
    operator: str


@dataclass(frozen=True)
class CaptureAdded:
    """A still was stored by :class:`sonocart.records.record.ProcedureRecord`; journal its reference."""

    capture: dict[str, Any]
    operator: str


@dataclass(frozen=True)
class Note:
    text: str
    operator: str


@dataclass(frozen=True)
class PedalGesture:
    """A pedal tap or hold and what the cart did with it: every gesture is on the record exactly once.

    ``press_id`` is the board's ``boot:board_ts:seq`` identity; ``outcome`` is ``done``, ``refused`` or
    ``locked`` (the screen was locked, so nothing was acted on), with ``detail`` saying why or what."""

    pedal: str
    gesture: str
    press_id: str
    action: str
    outcome: str
    detail: str
    operator: str


@dataclass(frozen=True)
class Correct:
    """A person corrects an earlier step's answer (a mistyped weight, a wrong tick): journaled with the
    old and the new value, and every limit derived from it recomputed. ``reason`` says why."""

    step: str
    value: Any
    operator: str
    reason: str


@dataclass(frozen=True)
class RecordOutcome:
    """An outcome measurement outside the step flow, e.g. pain at a set time after a diagnostic block."""

    measure: str
    value: float
    operator: str
    minutes_after: float | None = None


@dataclass(frozen=True)
class ClearEscalation:
    """A named clinician clears an escalated observation (over-maximum dose, blood, suspected LAST) for
    discharge, with the reason (their assessment). A clinician on the cart's roster gives their ``pin``
    (the cart checks it at its input boundary; never journaled) and is journaled by their roster name."""

    clinician: str
    reason: str
    operator: str
    pin: str = field(default="", repr=False)


@dataclass(frozen=True)
class ImageLiveness:
    """The live image went away or came back (the cart's liveness judgement); journaled in needle work."""

    live: bool
    reason: str
    operator: str


@dataclass(frozen=True)
class StartLast:
    """LAST emergency mode, available at any moment."""

    operator: str


@dataclass(frozen=True)
class LastAction:
    step: str
    operator: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EndLast:
    reason: str
    operator: str


Input = (
    Answer
    | Confirm
    | Override
    | Acknowledge
    | AcknowledgeTop
    | Aspirate
    | LogAliquot
    | TestDose
    | NewNeedle
    | FinishInjection
    | CaptureAdded
    | Note
    | PedalGesture
    | RecordOutcome
    | Correct
    | ImageLiveness
    | ClearEscalation
    | StartLast
    | LastAction
    | EndLast
)
