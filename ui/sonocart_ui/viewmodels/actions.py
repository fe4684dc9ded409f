"""One button of a step form: the key it sends back, its human label and how it shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    selected: bool = False
    primary: bool = False
