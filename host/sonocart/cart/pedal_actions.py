"""Pedal gestures to cart actions, through the configurable mapping: each acted on once, shown and journaled.

The board driver delivers each pedal event once; the aliquot input also carries the press id ``boot:seq``
so the engine refuses a second delivery. Every tap or hold leaves a visible message (a refused one also a
short buzz) and one ``pedal_gesture`` event in the journal saying what it did, was refused, or that the
screen was locked — so a press is acted on exactly once or reported, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sonocart.cart.captures import capture_clip, capture_still
from sonocart.cart.live import LiveImaging
from sonocart.cart.session import CartSession
from sonocart.devices.pedal_events import PedalEvent
from sonocart.journal.store import JournalError
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Acknowledge, Confirm, PedalGesture

#: Step kinds a single confirmation completes (by touch or by the pedal's acknowledge-or-confirm).
CONFIRM_KINDS = frozenset({"confirm", "captures", "observation", "discharge", "follow_up"})
GESTURES = ("tap", "hold")


def context_of(session: CartSession) -> str:
    step = session.current_step()
    return "injection" if step is not None and step.kind == "injection" else "sterile"


@dataclass(frozen=True)
class PedalOutcome:
    action: str
    outcome: str  # done / refused / locked
    detail: str
    seq: int | None  # the journal seq of the gesture's record (None: no procedure open)


class PedalActions:
    def __init__(
        self, session: CartSession, live: LiveImaging, buzz: Callable[[str], None] | None = None
    ) -> None:
        self.session = session
        self.live = live
        self.buzz = buzz
        self.handled = 0
        self.last_action = ""

    def handle(self, event: PedalEvent, locked: bool = False) -> PedalOutcome | None:
        """Act on a tap or hold (press/release edges are not actions), unless ``locked``; None for edges."""
        if event.kind not in GESTURES:
            return None
        key = f"{event.pedal} {event.kind}"
        action = self.session.settings.pedal_map.get(context_of(self.session), {}).get(key, "none")
        press_id = event.press_id
        self.handled += 1
        self.last_action = action
        if locked:
            ok, outcome = False, "locked"
            self.session.say(f"pedal {key} not acted on: the screen is locked (unlock with a PIN)", ok=False)
        else:
            ok = self._do(action, f"pedal {key}", press_id)
            outcome = "done" if ok else "refused"
        fb = self.session.feedback
        detail = fb.text if fb is not None else ""
        if not ok and self.buzz is not None:
            self.buzz("low")
        seq = self._journal(event, press_id, action, outcome, detail)
        return PedalOutcome(action, outcome, detail, seq)

    def _journal(
        self, event: PedalEvent, press_id: str, action: str, outcome: str, detail: str
    ) -> int | None:
        eng = self.session.engine
        if eng is None:
            return None
        who = self.session.operator or "pedal"
        gesture = PedalGesture(event.pedal, event.kind, press_id, action, outcome, detail, who)
        try:
            return eng.submit(gesture)[-1].seq
        except (InputRejected, JournalError) as exc:
            self.session.say(f"pedal {event.pedal} {event.kind} NOT RECORDED — {exc}", ok=False)
            return None

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
            return s.log_aliquot("pedal", press_id)
        if action == "aspirate_negative":
            return s.aspirate("negative", via)
        if action == "acknowledge_or_confirm":
            return self._acknowledge_or_confirm(via)
        s.say(f"{via}: no action mapped", ok=False)
        return False

    def _acknowledge_or_confirm(self, via: str) -> bool:
        """The top prompt first; else the current step's confirmation (injection: negative aspiration)."""
        s = self.session
        top = next((p for p in s.prompts() if not p.blocking), None)
        if top is not None:
            return s.submit(lambda op: Acknowledge(top.id, op), f"acknowledged: {top.text} ({via})")
        step = s.current_step()
        if step is None:
            s.say(f"{via}: nothing to confirm", ok=False)
            return False
        if step.kind == "injection":
            return s.aspirate("negative", via)
        if step.kind in CONFIRM_KINDS:
            sid = step.id
            return s.submit(lambda op: Confirm(sid, op), f"confirmed: {step.text} ({via})")
        s.say(f'{via}: "{step.name}" needs the screen', ok=False)
        return False
