"""The engine's input boundary: every touch, pedal and script input is checked here before it decides.

Exact types (``"no"`` is not a boolean, ``True`` is not a number), finite numbers (NaN fails every
``<``/``>``, so a range check written as ``v < lo or v > hi`` lets it through: here every range is
``lo <= v <= hi``), text normalised to NFC with control and bidi characters refused and lengths capped,
and nested answers (medications, function tests, LAST details) bounded in size and depth before
anything walks them. Clinical limits stay with the catalogue and the rules; these are the limits of
what can be a value at all:

- operator ids ≤ 64 characters, step/rule/prompt ids ≤ 128, notes and reasons ≤ 2 000;
- volumes 0 < v ≤ 1 000 mL (the largest syringe the cart records is 60 mL; ``medications.MAX_VOLUME_ML``
  is the clinical cap), outcome values and minutes finite and ≥ 0 and ≤ 10 000 (a week in minutes);
- nested values: ≤ 64 items per list or object, ≤ 6 levels deep, ≤ 4 096 characters per string;
- fields that are flags wherever they appear (``epinephrine``, ``labelled``, ``held``) must be exactly
  true or false; fields that are quantities (``percent``, ``mg_per_ml``, ``volume_ml``, ``weight_kg``,
  ``value``) must be finite numbers.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sonocart.validation.values import Refused, flag, number, text

OPERATOR_CHARS = 64
ID_CHARS = 128
PROSE_CHARS = 2000
NESTED_STRING_CHARS = 4096
NESTED_ITEMS = 64
NESTED_DEPTH = 6
MAX_VOLUME_ML = 1000.0
MAX_MINUTES = 10_000.0
MAX_OUTCOME = 10_000.0
FLAG_KEYS = frozenset({"epinephrine", "labelled", "held"})
QUANTITY_KEYS = frozenset({"percent", "mg_per_ml", "volume_ml", "weight_kg", "value"})

#: Per input field: how it is checked. Fields not listed (``press_id``, ``via``, ...) are ids.
_PROSE = frozenset({"reason", "text", "detail"})
_IDS_OPTIONAL = frozenset({"syringe", "press_id", "side", "minutes_after"})


def nested(name: str, value: Any, depth: int = 0) -> Any:
    """A JSON-like answer checked all the way down; returns it with its strings normalised."""
    if depth > NESTED_DEPTH:
        raise Refused(f"{name} is nested more than {NESTED_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        checked = number(name, value, -1e12, 1e12)
        return value if isinstance(value, int) else checked
    if isinstance(value, str):
        return text(name, value, NESTED_STRING_CHARS)
    if isinstance(value, list | tuple):
        if len(value) > NESTED_ITEMS:
            raise Refused(f"{name} has {len(value)} items (at most {NESTED_ITEMS})")
        return [nested(f"{name}[{i}]", v, depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        if len(value) > NESTED_ITEMS:
            raise Refused(f"{name} has {len(value)} fields (at most {NESTED_ITEMS})")
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise Refused(f"{name} has a field name that is not text: {k!r:.40}")
            key = text(f"{name} field name", k, ID_CHARS)
            where = f"{name}.{key}"
            if key in FLAG_KEYS:
                out[key] = flag(where, v)
            elif key in QUANTITY_KEYS and not isinstance(v, dict | list):
                out[key] = number(where, v, -1e12, 1e12)
            else:
                out[key] = nested(where, v, depth + 1)
        return out
    raise Refused(f"{name} cannot be a {type(value).__name__}")


def checked_input(inp: Any) -> Any:
    """``inp`` with every field checked and its text normalised; raises :class:`Refused` (one line)."""
    if not dataclasses.is_dataclass(inp) or isinstance(inp, type):
        raise Refused(f"not an input: {type(inp).__name__}")
    kind = type(inp).__name__
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(inp):
        value = getattr(inp, f.name)
        where = f"{kind}.{f.name}"
        if f.name == "operator":
            changes[f.name] = text(where, value, OPERATOR_CHARS)
            if not changes[f.name]:
                raise Refused("every input needs the operator's id")
        elif f.name in ("volume_ml",):
            v = number(where, value, 0.0, MAX_VOLUME_ML)
            if v <= 0:
                raise Refused(f"{where} must be more than 0 mL")
            changes[f.name] = v
        elif f.name == "value" and kind == "RecordOutcome":
            changes[f.name] = number(where, value, 0.0, MAX_OUTCOME)
        elif f.name == "minutes_after":
            changes[f.name] = None if value is None else number(where, value, 0.0, MAX_MINUTES)
        elif f.name == "planned_ml":  # the volume about to be injected (the dose guard's look-ahead)
            changes[f.name] = None if value is None else number(where, value, 0.0, MAX_VOLUME_ML)
        elif str(f.type) == "bool":  # a flag wherever it is (e.g. ImageLiveness.live): exactly true/false
            changes[f.name] = flag(where, value)
        elif f.name in ("value", "capture") or (f.name == "detail" and isinstance(value, dict)):
            changes[f.name] = nested(where, value)
        elif f.name in _PROSE:
            changes[f.name] = text(where, value, PROSE_CHARS, allow_newlines=True)
        elif value is None and f.name in _IDS_OPTIONAL:
            continue
        else:
            changes[f.name] = text(where, value, ID_CHARS)
    return dataclasses.replace(inp, **changes)
