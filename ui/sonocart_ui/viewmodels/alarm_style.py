"""How a prompt priority looks and sounds: one table for the screen and the status light (IEC 60601-1-8).

High: red, flashing ~2 Hz; medium: yellow, ~0.6 Hz; low: cyan, steady. Each also carries a marker
(``!!!``, ``!!``, ``!``) and a word, so colour is never the only signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.procedures.prompts import Priority
from sonocart_ui import theme


@dataclass(frozen=True)
class AlarmStyle:
    word: str
    marker: str
    colour: tuple[float, float, float, float]
    flash_hz: float  # 0 = steady
    indicator: str  # pedal-board light state
    buzz: str  # buzzer priority when raised


STYLES = {
    Priority.HIGH: AlarmStyle("HIGH", "!!!", theme.ALARM_HIGH, 2.0, "alarm_high", "high"),
    Priority.MEDIUM: AlarmStyle("MEDIUM", "!!", theme.ALARM_MEDIUM, 0.6, "alarm_medium", "medium"),
    Priority.LOW: AlarmStyle("LOW", "!", theme.ALARM_LOW, 0.0, "alarm_low", "low"),
}


def style_of(priority: Priority) -> AlarmStyle:
    return STYLES[priority]


def flash_on(style: AlarmStyle, now: float) -> bool:
    """Whether a flashing marker is lit at ``now`` (50 % duty; IEC allows 20-60 % for high priority)."""
    if style.flash_hz <= 0:
        return True
    return (now * style.flash_hz) % 1.0 < 0.5
