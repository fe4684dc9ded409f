"""How a prompt priority looks: the core's signal (marker, word, flash rate) plus its IEC colour.

High: red, flashing ~2 Hz; medium: yellow, ~0.6 Hz; low: cyan, steady. The marker and word mean colour is
never the only signal. Which light and which burst a priority gets is the core's (``sonocart.cart.alarms``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.cart.alarms import AlarmSignal, signal_of
from sonocart.procedures.prompts import Priority
from sonocart_ui import theme

COLOURS = {
    Priority.HIGH: theme.ALARM_HIGH,
    Priority.MEDIUM: theme.ALARM_MEDIUM,
    Priority.LOW: theme.ALARM_LOW,
}


@dataclass(frozen=True)
class AlarmStyle:
    signal: AlarmSignal
    colour: tuple[float, float, float, float]

    @property
    def word(self) -> str:
        return self.signal.word

    @property
    def marker(self) -> str:
        return self.signal.marker

    @property
    def flash_hz(self) -> float:
        return self.signal.flash_hz


def style_of(priority: Priority) -> AlarmStyle:
    return AlarmStyle(signal_of(priority), COLOURS[priority])
