"""The alarm and prompt list: every active prompt, highest priority first, each with its acknowledge."""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.cart.session import CartSession
from sonocart.procedures.inputs import Acknowledge
from sonocart_ui.viewmodels.alarm_style import AlarmStyle, style_of


@dataclass(frozen=True)
class PromptRow:
    id: str
    label: str  # marker + priority word + text: readable without colour
    style: AlarmStyle
    blocking: bool
    action: str  # what the button says


def rows(session: CartSession) -> list[PromptRow]:
    out = []
    for p in session.prompts():
        st = style_of(p.priority)
        action = "Override on the alarm list" if p.blocking else "Acknowledge"
        label = f"{st.marker} {st.word}: {p.text}"
        if p.acknowledged:
            action, label = "Acknowledged", f"{label} (acknowledged: shown while it lasts)"
        out.append(PromptRow(p.id, label, st, p.blocking, action))
    return out


def acknowledge(session: CartSession, prompt_id: str) -> bool:
    """Journal a person's acknowledgement (the engine refuses it for a hard stop)."""
    return session.submit(lambda op: Acknowledge(prompt_id, op), f"acknowledged {prompt_id}")
