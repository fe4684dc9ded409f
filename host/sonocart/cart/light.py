"""What the pedal board's light shows and when the buzzer sounds: the cart's policy, not the view's.

The light shows the same top prompt as the screen, else what the cart is doing (imaging, ready, idle).
A newly raised prompt or hard stop buzzes once at its priority; a refused pedal action buzzes low.
"""

from __future__ import annotations

from collections.abc import Iterable

from sonocart.cart.alarms import signal_of
from sonocart.journal.store import Event
from sonocart.procedures.prompts import Priority, Prompt


def indicator_for(
    top: Prompt | None, procedure_open: bool, imaging_live: bool, recording: bool, emergency: bool = False
) -> str:
    """One of the host-settable indicator states (see docs/protocols/pedal-link.md).

    During LAST (``emergency``) the light is the high-priority alarm whatever was acknowledged."""
    if emergency:
        return signal_of(Priority.HIGH).indicator
    if top is not None:
        return signal_of(top.priority).indicator
    if recording:
        return "recording"
    if imaging_live:
        return "imaging"
    return "ready" if procedure_open else "idle"


#: Each indicator state as the team sees the light: its colour, then what it means (colours and patterns:
#: docs/firmware.md "Light", firmware/indicator.py PATTERNS; every state of wire.pedal_codec INDICATOR_NAMES).
INDICATOR_WORDS: dict[str, str] = {
    "off": "off",
    "idle": "dim white, idle",
    "ready": "green, ready",
    "imaging": "blue, imaging",
    "recording": "magenta, recording",
    "host_lost": "yellow flashing, cart not heard",
    "alarm_low": "cyan, low alarm",
    "alarm_medium": "yellow flashing, medium alarm",
    "alarm_high": "red flashing, high alarm",
    "self_test": "white, self-test",
    "maintenance": "blue flashing, maintenance",
}


def light_words(state: str) -> str:
    """The light in words ("blue, imaging"); before the cart has set it, "not set yet"."""
    return INDICATOR_WORDS.get(state, "not set yet")


def bursts_for(events: Iterable[Event]) -> list[str]:
    """The buzzer bursts committed ``events`` call for: one per prompt raised, at its priority."""
    out = []
    for ev in events:
        if ev.type in ("prompt_raised", "hard_stop"):
            raw = ev.payload.get("priority", "HIGH")
            try:
                prio = Priority[str(raw).upper()] if not isinstance(raw, int) else Priority(raw)
            except (KeyError, ValueError):
                prio = Priority.HIGH  # an unreadable priority sounds as the most urgent, never not at all
            out.append(signal_of(prio).buzz)
    return out
