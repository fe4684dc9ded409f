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
from sonocart.validation.inputs import checked_input, nested
from sonocart.validation.values import Refused, integer, number, text

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
    "correct": I.Correct,
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


#: A script is hand-written TOML: far below these caps. Checked before reading or walking it.
MAX_SCRIPT_BYTES = 1024 * 1024
MAX_ENTRIES = 10_000
MAX_WAIT_S = 7 * 24 * 3600.0
CAPTURE_PX = (16, 4096)
CAPTURE_MM_PER_PX = (0.01, 5.0)


def parse_entry(index: int, raw: Any, default_operator: str) -> Any:
    if not isinstance(raw, dict):
        raise ScriptError(f"input #{index + 1}: each [[input]] must be a table")
    kind = raw.get("type")
    fields = {k: v for k, v in raw.items() if k != "type"}
    where = f"input #{index + 1} ({kind!s:.40})"
    try:
        if kind == "wait":
            return Wait(number(f"{where}: seconds", fields.get("seconds"), 0.0, MAX_WAIT_S))
        fields.setdefault("operator", default_operator)
        if kind == "capture":
            return Capture(
                text(f"{where}: operator", fields["operator"], 64),
                integer(f"{where}: rows", fields.get("rows", 256), *CAPTURE_PX),
                integer(f"{where}: columns", fields.get("columns", 256), *CAPTURE_PX),
                number(f"{where}: mm_per_px", fields.get("mm_per_px", 0.2), *CAPTURE_MM_PER_PX),
                text(f"{where}: label", fields.get("label", ""), 200),
            )
        cls = INPUT_TYPES.get(str(kind))
        if cls is None:
            raise ScriptError(
                f"{where}: unknown type; use one of {sorted([*INPUT_TYPES, 'wait', 'capture'])}"
            )
        try:
            inp = cls(**fields)
        except TypeError as exc:
            raise ScriptError(f"{where}: {exc}") from exc
        return checked_input(inp)
    except Refused as exc:
        raise ScriptError(f"{where}: {exc}") from exc


def load_script(path: Path) -> Script:
    """Read and check a script; every problem is a :class:`ScriptError` naming the file and entry."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SCRIPT_BYTES + 1)
        if len(data) > MAX_SCRIPT_BYTES:
            raise ScriptError(f"{path}: larger than {MAX_SCRIPT_BYTES} bytes")
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScriptError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except RecursionError as exc:
        raise ScriptError(f"{path}: nested too deeply") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScriptError(f"{path}: {exc}") from exc
    for key in ("procedure", "operator", "patient", "input"):
        if key not in raw:
            raise ScriptError(f"{path}: missing {key!r}")
    entries, patient = raw["input"], raw["patient"]
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise ScriptError(f"{path}: 'input' must be a list of at most {MAX_ENTRIES} [[input]] tables")
    if not isinstance(patient, dict):
        raise ScriptError(f"{path}: 'patient' must be a table")
    try:
        operator = text("operator", raw["operator"], 64)
        procedure = text("procedure", raw["procedure"], 128)
        patient = {text("patient field", k, 64): nested(f"patient.{k}", v) for k, v in patient.items()}
    except Refused as exc:
        raise ScriptError(f"{path}: {exc}") from exc
    steps = [parse_entry(i, e, operator) for i, e in enumerate(entries)]
    return Script(procedure, patient, operator, steps)
