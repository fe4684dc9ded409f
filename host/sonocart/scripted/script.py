"""Scripted procedures for rigs and demos: a TOML list of inputs, run through the same engine API as touch.

A script names the procedure, the patient and a list of ``[[input]]`` tables. ``type`` picks the input
(a key of :data:`INPUT_TYPES`, or ``capture`` or ``wait``); other keys are the input's fields. ``wait``
moves the scripted clock, so a 30-minute observation runs in no time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sonocart.procedures import inputs as I

INPUT_TYPES: dict[str, type[Any]] = {
    "answer": I.Answer,
    "confirm": I.Confirm,
    "override": I.Override,
    "acknowledge": I.Acknowledge,
    "acknowledge_top": I.AcknowledgeTop,
    "aspirate": I.Aspirate,
    "aliquot": I.LogAliquot,
    "test_dose": I.TestDose,
    "new_needle": I.NewNeedle,
    "finish_injection": I.FinishInjection,
    "note": I.Note,
    "outcome": I.RecordOutcome,
    "start_last": I.StartLast,
    "last_action": I.LastAction,
    "end_last": I.EndLast,
    "clear_escalation": I.ClearEscalation,
}


class ScriptError(ValueError):
    """A script entry that is not a valid input; the message names the entry."""


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class Capture:
    operator: str
    rows: int
    columns: int
    mm_per_px: float
    label: str


@dataclass(frozen=True)
class Script:
    procedure: str
    patient: dict[str, Any]
    operator: str
    steps: list[Any]


def parse_entry(index: int, raw: dict[str, Any], default_operator: str) -> Any:
    kind = raw.get("type")
    fields = {k: v for k, v in raw.items() if k != "type"}
    where = f"input #{index + 1} ({kind})"
    if kind == "wait":
        seconds = fields.get("seconds")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise ScriptError(f"{where}: seconds >= 0 needed")
        return Wait(float(seconds))
    fields.setdefault("operator", default_operator)
    if kind == "capture":
        return Capture(
            fields["operator"],
            int(fields.get("rows", 256)),
            int(fields.get("columns", 256)),
            float(fields.get("mm_per_px", 0.2)),
            str(fields.get("label", "")),
        )
    cls = INPUT_TYPES.get(str(kind))
    if cls is None:
        raise ScriptError(f"{where}: unknown type; use one of {sorted([*INPUT_TYPES, 'wait', 'capture'])}")
    try:
        return cls(**fields)
    except TypeError as exc:
        raise ScriptError(f"{where}: {exc}") from exc


def load_script(path: Path) -> Script:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScriptError(f"{path}: {exc}") from exc
    for key in ("procedure", "operator", "patient", "input"):
        if key not in raw:
            raise ScriptError(f"{path}: missing {key!r}")
    operator = str(raw["operator"])
    steps = [parse_entry(i, e, operator) for i, e in enumerate(raw["input"])]
    return Script(str(raw["procedure"]), dict(raw["patient"]), operator, steps)
