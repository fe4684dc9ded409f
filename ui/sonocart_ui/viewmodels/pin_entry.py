"""Who is authorising and the PIN typed so far: the one keypad for a second operator's override and for
each team member's own time-out confirmation. The core checks the PIN; this only collects it."""

from __future__ import annotations

from collections.abc import Collection

from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.keypad import KeypadView, key_actions

PIN_DIGITS = 8


class PinEntry:
    def __init__(self, choose_key: str) -> None:
        self.choose_key = choose_key  # the button key that picks the person ("second", "confirm_as")
        self.person = ""
        self.pin = ""

    def clear(self) -> None:
        self.person, self.pin = "", ""

    def masked(self) -> str:
        return "*" * len(self.pin)

    def keypad(self, whose: str) -> KeypadView:
        """The PIN as dots above the pad, with whose PIN it is."""
        return KeypadView(
            f"PIN of {whose}: {self.masked() or '—'}" if whose else f"PIN: {self.masked() or '—'}"
        )

    def pad(self, people: list[tuple[str, str]], chosen: Collection[str] = ()) -> list[Action]:
        """A button per (id, label) person, then the digits; ``chosen`` are marked (already done)."""
        return [
            *(
                Action(f"{self.choose_key}:{p}", label, p == self.person or p in chosen)
                for p, label in people
            ),
            *key_actions(decimal=False),
        ]

    def press(self, name: str, arg: str) -> bool:
        """Take one key of the pad; False if it is not one of the pad's keys."""
        if name == self.choose_key:
            self.person, self.pin = arg, ""
        elif name == "digit":
            self.pin = (self.pin + arg)[:PIN_DIGITS]
        elif name == "back":
            self.pin = self.pin[:-1]
        else:
            return False
        return True
