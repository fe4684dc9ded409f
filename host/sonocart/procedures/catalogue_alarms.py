"""Parse the alarm and prompt table (catalogue/alarms.toml): each prompt's priority and when it ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sonocart.procedures.catalogue_model import AlarmRule, CatalogueError

PRIORITIES = ("HIGH", "MEDIUM", "LOW")
#: The state conditions a prompt may hold while (see State.condition).
CONDITIONS = ("", "last_active", "dose_over_max", "blood_aspirated", "image_lost", "escalated")
EXPIRES = ("", "step", "phase")
#: The longest short form: it is shown with its priority's marker and word and "(acknowledged)" in the room
#: right of Alarms on the 7-inch screen, about two lines of 34 characters, so one line is left for it
#: (docs/ui.md). A count of characters is not a width: tests/ui/test_live_prompts.py measures every short
#: form in the table laid out in that room.
SHORT_MAX_CHARS = 34
Cite = Callable[[str, dict[str, Any]], tuple[str, ...]]


def _seconds(raw: dict[str, Any], key: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 10:
        raise CatalogueError(f"alarms.{key}: a number of seconds in (0, 10]")
    return float(value)


def _short(where: str, row: dict[str, Any], holds: str) -> str:
    """A prompt's short form: written words of at most SHORT_MAX_CHARS, for a prompt that stays up once
    acknowledged (holds_while), the only one that is ever shown acknowledged."""
    short = row.get("short", "")
    if not isinstance(short, str) or short != short.strip() or "\n" in short:
        raise CatalogueError(f"{where}: short is one line of text")
    if len(short) > SHORT_MAX_CHARS:
        raise CatalogueError(
            f"{where}: short is {len(short)} characters; at most {SHORT_MAX_CHARS} fit beside Alarms"
            " at 7 inches"
        )
    if short and not holds:
        raise CatalogueError(
            f"{where}: short is for a prompt that holds_while a condition (shown acknowledged)"
        )
    return short


def alarm_table(cite: Cite, raw: dict[str, Any]) -> tuple[dict[str, AlarmRule], float, float]:
    """The rows by key, the reading time before an acknowledgement and the image-loss alarm delay."""
    cite("alarms", raw)
    shown = _seconds(raw, "ack_min_shown_s")
    image_delay = _seconds(raw, "image_lost_after_s")
    rows = {}
    for key, row in raw.get("prompts", {}).items():
        where = f"alarms.prompts.{key}"
        prio, holds, expires = row.get("priority"), row.get("holds_while", ""), row.get("expires", "")
        if prio not in PRIORITIES:
            raise CatalogueError(f"{where}: priority must be one of {PRIORITIES}")
        if holds not in CONDITIONS:
            raise CatalogueError(f"{where}: holds_while must be one of {CONDITIONS[1:]}")
        if expires not in EXPIRES:
            raise CatalogueError(f"{where}: expires must be step, phase or absent")
        second = row.get("override_needs_second_person", False)
        if not isinstance(second, bool) or (second and not key.startswith("hard_stop:")):
            raise CatalogueError(f"{where}: override_needs_second_person is true/false, for hard stops only")
        rows[key] = AlarmRule(key, prio, holds, expires, cite(where, row), second, _short(where, row, holds))
    return rows, shown, image_delay
