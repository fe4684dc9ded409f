"""One button of a step form: the key it sends back, its human label and how it shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    selected: bool = False
    primary: bool = False
    #: an unsafe state (an antithrombotic NOT held): its own colour and word, never the safe one's
    unsafe: bool = False
