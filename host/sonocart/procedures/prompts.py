"""Prompts and alarms with IEC 60601-1-8 priorities, and the one ordering the UI and status light share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Priority(IntEnum):
    """IEC 60601-1-8 alarm priorities; a higher value wins the status light."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(frozen=True)
class Prompt:
    id: str
    priority: Priority
    text: str
    raised_wall: float
    seq: int
    #: Hard-stop prompts leave only through an override or a corrected answer, not a plain acknowledgement.
    blocking: bool = False
    #: A condition (catalogue/alarms.toml) it stays shown while: acknowledging then only silences it.
    holds_while: str = ""
    #: "step"/"phase": it expires when the step/phase it was raised in ends ("": when acknowledged).
    expires: str = ""
    phase: str = ""
    step: str = ""
    acknowledged: bool = False
    #: The alarm table's short form (catalogue/alarms.toml), shown once acknowledged while it still holds;
    #: derived from the catalogue when the prompt is built, not journaled. "" none.
    short: str = ""


def ordered(prompts: list[Prompt]) -> list[Prompt]:
    """Highest priority first; within one priority the unacknowledged, then the oldest, first (nothing
    waiting is starved, and an acknowledged alarm whose condition lasts never hides a new one)."""
    return sorted(prompts, key=lambda p: (-int(p.priority), p.acknowledged, p.seq))
