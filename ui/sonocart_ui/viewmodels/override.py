"""One hard stop's override at a time: its own empty reason, the stop named beside it, and a second
operator's PIN where the core says the stop needs one (wrong side, overdose, consent: alarms.toml)."""

from __future__ import annotations

from sonocart.cart.session import CartSession
from sonocart.procedures.inputs import Override
from sonocart_ui.viewmodels.actions import Action


class OverrideForm:
    def __init__(self, session: CartSession) -> None:
        self.session = session
        self.rule = ""
        self.stop_text = ""
        self.second = ""
        self.pin = ""

    def select(self, rule: str, stop_text: str) -> None:
        """A fresh form for ``rule``: nothing typed for another stop carries over."""
        self.rule, self.stop_text, self.second, self.pin = rule, stop_text, "", ""

    def needs_second(self) -> bool:
        return bool(self.rule) and self.session.override_needs_second(self.rule)

    def title(self) -> str:
        if not self.rule:
            return ""
        who = (
            f" · second operator: {self.second or 'choose'} {'*' * len(self.pin)}"
            if self.needs_second()
            else ""
        )
        return f"Override of: {self.stop_text}{who}"

    def actions(self) -> list[Action]:
        if not self.needs_second():
            return []
        ops = [o.id for o in self.session.settings.operators if o.id != self.session.operator]
        return [
            *(Action(f"second:{o}", o, o == self.second) for o in ops),
            *(Action(f"digit:{d}", d) for d in "1234567890"),
            Action("back", "DEL"),
        ]

    def press(self, key: str) -> None:
        name, _, arg = key.partition(":")
        if name == "second":
            self.second, self.pin = arg, ""
        elif name == "digit" and len(self.pin) < 8:
            self.pin += arg
        elif name == "back":
            self.pin = self.pin[:-1]

    def submit(self, reason: str) -> bool:
        """Journal the override (the core checks reason, second operator and PIN); cleared when done."""
        if not self.rule:
            return False
        rule, second, pin = self.rule, self.second, self.pin
        done = self.session.submit(
            lambda op: Override(rule, reason, op, second_operator=second, second_pin=pin),
            f"override of {rule}",
        )
        self.pin = ""
        if done:
            self.select("", "")
        return done
