"""How each prompt priority is signalled: one table for the screen, the status light and the buzzer.

IEC 60601-1-8: high priority flashes at 1.4-2.8 Hz (we use 2 Hz), medium at 0.4-0.8 Hz (0.6 Hz), low is
steady. Each priority also has a marker (``!!!``, ``!!``, ``!``) and a word so colour is never the only
signal. The view adds only the colours; which light and which burst a priority gets is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.procedures.prompts import Priority


@dataclass(frozen=True)
class AlarmSignal:
    word: str
    marker: str
    flash_hz: float  # 0 = steady
    indicator: str  # pedal-board light state (docs/protocols/pedal-link.md)
    buzz: str  # buzzer burst when raised


SIGNALS = {
    Priority.HIGH: AlarmSignal("HIGH", "!!!", 2.0, "alarm_high", "high"),
    Priority.MEDIUM: AlarmSignal("MEDIUM", "!!", 0.6, "alarm_medium", "medium"),
    Priority.LOW: AlarmSignal("LOW", "!", 0.0, "alarm_low", "low"),
}


def signal_of(priority: Priority) -> AlarmSignal:
    return SIGNALS[priority]


def flash_on(signal: AlarmSignal, now: float) -> bool:
    """Whether a flashing marker is lit at ``now`` (50 % duty; IEC allows 20-60 % for high priority)."""
    if signal.flash_hz <= 0:
        return True
    return (now * signal.flash_hz) % 1.0 < 0.5
