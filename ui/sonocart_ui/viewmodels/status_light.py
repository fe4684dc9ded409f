"""What the pedal board's light shows: the same top prompt as the screen, else what the cart is doing."""

from __future__ import annotations

from sonocart.procedures.prompts import Prompt
from sonocart_ui.viewmodels.alarm_style import style_of


def indicator_for(top: Prompt | None, procedure_open: bool, imaging_live: bool, recording: bool) -> str:
    """One of the host-settable indicator states (see docs/protocols/pedal-link.md)."""
    if top is not None:
        return style_of(top.priority).indicator
    if recording:
        return "recording"
    if imaging_live:
        return "imaging"
    return "ready" if procedure_open else "idle"
