"""One running cart: devices, the procedure session and every policy, pumped from one thread.

The UI, the headless service (``sonocart run --headless``), the rig and scripted runs all drive this
object and listen to its one event stream (:mod:`sonocart.cart.events`). It never imports Kivy. Call
:meth:`Cart.pump` often (the UI: from its clock; headless: :meth:`Cart.wait_and_pump` in a loop) on
the thread that created the cart: SQLite objects and the engine stay on that thread, device drivers
hand their events over through queues.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy.typing as npt

from sonocart.cart.captures import capture_clip, capture_still
from sonocart.cart.events import CaptureSaved
from sonocart.cart.pump import CartPump, Listener
from sonocart.journal.store import Event
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Acknowledge, Input, Note

__all__ = ["Cart", "Listener"]


class Cart(CartPump):
    """The running cart: the pump (:class:`~sonocart.cart.pump.CartPump`) and every intent on it."""

    # -- intents (from the touchscreen, the headless protocol or a script) ------------------------
    def submit(self, make: Callable[[str], Input], what: str) -> bool:
        self.lock.touched()
        return self.session.submit(make, what)

    def submit_input(self, inp: Input) -> list[Event]:
        """A fully formed input (scripts, the headless protocol): raises InputRejected/JournalError."""
        eng = self.session.engine
        if eng is None:
            raise InputRejected("no procedure open")
        refusal = self.session.boundary_refusal(inp)
        if refusal is not None:
            raise InputRejected(refusal)
        return eng.submit(inp)

    def acknowledge(self, prompt_id: str) -> bool:
        eng = self.session.engine
        prompt = eng.state.prompts.get(prompt_id) if eng is not None else None
        said = prompt.text if prompt is not None else prompt_id  # the words on screen, not the id
        return self.submit(lambda op: Acknowledge(prompt_id, op), f"acknowledged: {said}")

    def freeze(self) -> bool:
        frozen = self.live.toggle_freeze()
        self.session.say("FROZEN" if frozen else "live again")
        self._imaging_changed()
        return frozen

    def capture_still(self, via: str = "touch") -> bool:
        ok = capture_still(self.session, self.live, via)
        if ok and self.session.record is not None:
            cap = self.session.record.engine.state.captures[-1]
            self.emit(CaptureSaved("still", int(cap["number"]), str(cap["file"])))
        return ok

    def capture_clip(self, via: str = "touch") -> bool:
        ok = capture_clip(self.session, self.live, via)
        if ok and self.session.record is not None:
            clips = sorted((self.session.record.path / "clips").glob("*.mp4"))
            self.emit(CaptureSaved("clip", len(clips), f"clips/{clips[-1].name}" if clips else ""))
        return ok

    def capture_image(
        self,
        image: npt.NDArray[Any],
        mm_per_px: float,
        origin_px: tuple[float, float],
        operator: str,
        label: str = "",
    ) -> dict[str, Any]:
        """Store a given still (scripted runs, imports) in the record; raises CaptureError/JournalError."""
        record = self.session.record
        if record is None:
            raise InputRejected("no procedure open")
        cap = record.add_capture(image, mm_per_px, origin_px, operator, label)
        self.emit(CaptureSaved("still", int(cap["number"]), str(cap["file"])))
        return cap

    def imaging_press(self, key: str) -> None:
        """Depth, gain, dynamic range, TGC and persistence buttons (keys of ``LiveImaging.press``)."""
        self.live.press(key)
        self._imaging_changed()

    def toggle_needle(self) -> bool:
        on = self.live.toggle_needle()
        self.session.say(f"needle enhancement {'on' if on else 'off'}")
        self._imaging_changed()
        return on

    def send_to_pacs(self) -> str:
        return self.pacs.start(self.session)

    def lock_now(self) -> bool:
        return self.lock.lock()

    def unlock(self, operator_id: str, pin: str) -> bool:
        return self.lock.unlock(operator_id, pin)

    def touched(self) -> None:
        self.lock.touched()

    def note(self, text: str) -> bool:
        return self.submit(lambda op: Note(text, op), "note recorded")
