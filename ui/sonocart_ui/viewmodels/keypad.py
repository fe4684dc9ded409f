"""The one keypad every screen that takes digits shows (numbers, a member's PIN, the lock, a second
operator's override PIN): its keys in one order, and what it shows above them. No Kivy here."""

from __future__ import annotations

from dataclasses import dataclass

from sonocart_ui.viewmodels.actions import Action

#: The keys row by row, left to right: the same places on every screen and at both sizes (two rows, so the
#: pad fits beside the form on the 7-inch screen under its bands; a PIN pad leaves the "." place empty).
ROWS: tuple[tuple[str, ...], ...] = (
    ("digit:1", "digit:2", "digit:3", "digit:4", "digit:5", "back"),
    ("digit:6", "digit:7", "digit:8", "digit:9", "digit:0", "dot"),
)
KEYS = frozenset(k for row in ROWS for k in row)
LABELS = {"back": "DEL", "dot": "."}


def label(key: str) -> str:
    return LABELS.get(key, key.removeprefix("digit:"))


@dataclass(frozen=True)
class KeypadView:
    """What the pad shows above its keys (the number typed with its unit, or PIN dots) and whether it
    takes a decimal point."""

    value: str
    decimal: bool = False


def key_actions(decimal: bool) -> list[Action]:
    """The pad's keys as a form's actions (the model's whole key set; the screen lays them out)."""
    return [Action(k, label(k)) for row in ROWS for k in row if decimal or k != "dot"]
