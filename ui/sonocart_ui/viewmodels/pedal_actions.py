"""Pedal presses to cart actions, through the configurable mapping; each one acted on once and shown.

The board driver already delivers each pedal event once; the aliquot input also carries the press id
``boot:seq`` so the engine refuses a second delivery. Every action leaves a visible message (and a
refused one also a short buzz), so a sterile clinician knows the press was taken.
"""

from __future__ import annotations

from collections.abc import Callable

from sonocart.devices.pedal_events import PedalEvent
from sonocart.procedures.inputs import Acknowledge, Aspirate, Confirm
from sonocart_ui.viewmodels.captures import capture_clip, capture_still
from sonocart_ui.viewmodels.live import LiveViewModel
from sonocart_ui.viewmodels.session import CartSession
from sonocart_ui.viewmodels.step_form import CONFIRM_KINDS, StepForm


def context_of(session: CartSession) -> str:
    step = session.current_step()
    return "injection" if step is not None and step.kind == "injection" else "sterile"


class PedalActions:
    def __init__(
        self,
        session: CartSession,
        live: LiveViewModel,
        form: StepForm,
        buzz: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.live = live
        self.form = form
        self.buzz = buzz
        self.handled = 0
        self.last_action = ""

    def handle(self, event: PedalEvent) -> str:
        """Act on a tap or hold (press/release edges are not actions); return the action name."""
        if event.kind not in ("tap", "hold"):
            return "none"
        key = f"{event.pedal} {event.kind}"
        action = self.session.settings.pedal_map.get(context_of(self.session), {}).get(key, "none")
        self.handled += 1
        self.last_action = action
        ok = self._do(action, f"pedal {key}", f"{event.boot_id:08x}:{event.seq}")
        if not ok and self.buzz is not None:
            self.buzz("low")
        return action

    def _do(self, action: str, via: str, press_id: str) -> bool:
        s = self.session
        if action == "freeze":
            frozen = self.live.toggle_freeze()
            s.say(f"{'FROZEN' if frozen else 'live again'} ({via})")
            return True
        if action == "capture_still":
            return capture_still(s, self.live, via)
        if action == "capture_clip":
            return capture_clip(s, self.live, via)
        if action == "log_aliquot":
            return self.form.log_aliquot("pedal", press_id)
        if action == "aspirate_negative":
            return s.submit(lambda op: Aspirate("negative", op), f"aspiration negative ({via})")
        if action == "acknowledge_or_confirm":
            return self._acknowledge_or_confirm(via)
        s.say(f"{via}: no action mapped", ok=False)
        return False

    def _acknowledge_or_confirm(self, via: str) -> bool:
        """The top prompt first; else the current step's confirmation (injection: negative aspiration)."""
        s = self.session
        top = next((p for p in s.prompts() if not p.blocking), None)
        if top is not None:
            return s.submit(lambda op: Acknowledge(top.id, op), f"acknowledged: {top.text[:40]} ({via})")
        step = s.current_step()
        if step is None:
            s.say(f"{via}: nothing to confirm", ok=False)
            return False
        if step.kind == "injection":
            return s.submit(lambda op: Aspirate("negative", op), f"aspiration negative ({via})")
        if step.kind in CONFIRM_KINDS:
            sid = step.id
            return s.submit(lambda op: Confirm(sid, op), f"confirmed: {step.text[:40]} ({via})")
        s.say(f"{via}: this step needs the screen ({step.kind.replace('_', ' ')})", ok=False)
        return False
