"""One hard stop's override at a time: its own empty reason, the stop named beside it, and a second
operator's PIN where the core says the stop needs one (wrong side, overdose, consent: alarms.toml)."""

from __future__ import annotations

from sonocart.cart.session import CartSession
from sonocart.procedures.inputs import Override
from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.keypad import KeypadView
from sonocart_ui.viewmodels.pin_entry import PinEntry


class OverrideForm:
    def __init__(self, session: CartSession) -> None:
        self.session = session
        self.rule = ""
        self.stop_text = ""
        self.entry = PinEntry("second")

    @property
    def second(self) -> str:
        return self.entry.person

    @property
    def pin(self) -> str:
        return self.entry.pin

    def select(self, rule: str, stop_text: str) -> None:
        """A fresh form for ``rule``: nothing typed for another stop carries over."""
        self.rule, self.stop_text = rule, stop_text
        self.entry.clear()

    def _name(self, operator_id: str) -> str:
        return next((o.name for o in self.session.settings.operators if o.id == operator_id), operator_id)

    def needs_second(self) -> bool:
        return bool(self.rule) and self.session.override_needs_second(self.rule)

    def title(self) -> str:
        if not self.rule:
            return ""
        who = (
            f" · second operator: {self._name(self.second) if self.second else 'choose who'}"
            if self.needs_second()
            else ""
        )
        return f"Override of: {self.stop_text}{who}"

    def actions(self) -> list[Action]:
        if not self.needs_second():
            return []
        ops = [o.id for o in self.session.settings.operators if o.id != self.session.operator]
        return self.entry.pad([(o, self._name(o)) for o in ops])

    def keypad(self) -> KeypadView | None:
        """The second operator's PIN dots above the keypad, while this stop needs them."""
        return (
            self.entry.keypad(self._name(self.second) if self.second else "") if self.needs_second() else None
        )

    def press(self, key: str) -> None:
        name, _, arg = key.partition(":")
        self.entry.press(name, arg)

    def submit(self, reason: str) -> bool:
        """Journal the override (the core checks reason, second operator and PIN); cleared when done."""
        if not self.rule:
            return False
        rule, second, pin = self.rule, self.second, self.pin
        done = self.session.submit(
            lambda op: Override(rule, reason, op, second_operator=second, second_pin=pin),
            "override of this stop",
        )
        self.entry.pin = ""
        if done:
            self.select("", "")
        return done
