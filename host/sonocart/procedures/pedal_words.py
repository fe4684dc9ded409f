"""The pedals' words, as the team reads them: on the Settings rows, in the journal's pedal lines and in the
chart note (records), which must not import the cart's settings (``tests/test_layering.py``). One source:
:mod:`sonocart.cart.settings` names the same actions (``PEDAL_ACTIONS``) and reads these."""

from __future__ import annotations

__all__ = ["PEDAL_ACTION_WORDS", "PEDAL_GESTURE_WORDS", "PEDAL_OUTCOME_WORDS"]

#: Each pedal action in the team's words, short enough for a 12 mm-high button on the 7-inch screen
#: (the Settings rows and the chart note's pedal lines show these, never the ids of
#: ``cart.settings.PEDAL_ACTIONS``).
PEDAL_ACTION_WORDS = {
    "none": "nothing",
    "freeze": "freeze",
    "capture_still": "capture still",
    "capture_clip": "capture clip",
    "acknowledge_or_confirm": "ack / confirm",
    "log_aliquot": "log aliquot",
    "aspirate_negative": "aspirate neg.",
}
#: Each pedal gesture (the board's ``tap`` and ``hold``) as the chart note says it: "Pedal A held".
PEDAL_GESTURE_WORDS = {"tap": "tapped", "hold": "held"}
#: What the cart did with a pedal gesture (the engine's ``PEDAL_OUTCOMES``), as the chart note says it.
PEDAL_OUTCOME_WORDS = {"done": "done", "refused": "refused", "locked": "not acted on, the screen locked"}
