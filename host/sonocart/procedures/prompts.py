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


def ordered(prompts: list[Prompt]) -> list[Prompt]:
    """Highest priority first; within one priority the oldest first, so nothing waiting is starved."""
    return sorted(prompts, key=lambda p: (-int(p.priority), p.seq))
