"""The chart note's pedal lines say the gesture, the action and what came of it in the core's words (#14
item 3): core tables (``procedures.pedal_words``: gestures, actions,
outcomes), never the ids the journal keeps. Expected lines are written out here."""

from __future__ import annotations

from sonocart.cart.pedal_actions import GESTURES
from sonocart.journal.store import Event
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.engine import PEDAL_OUTCOMES
from sonocart.procedures.pedal_words import PEDAL_GESTURE_WORDS, PEDAL_OUTCOME_WORDS
from sonocart.records.chart_words import Words


def _pedal_line(gesture: str, action: str, outcome: str) -> str:
    words = Words(load_catalogue().procedure("femoral_nerve_block"), {}, {})
    payload = {"pedal": "B", "gesture": gesture, "press_id": "1:2", "action": action, "outcome": outcome}
    return words.event(Event(1, 0.0, "dr_ana", "pedal_gesture", payload, ""))


def test_pedal_lines_say_gesture_action_and_outcome_in_words() -> None:
    assert _pedal_line("hold", "acknowledge_or_confirm", "done") == "Pedal B held: ack / confirm (done)"
    assert _pedal_line("tap", "aspirate_negative", "refused") == "Pedal B tapped: aspirate neg. (refused)"
    assert _pedal_line("tap", "capture_still", "locked") == (
        "Pedal B tapped: capture still (not acted on, the screen locked)"
    )


def test_every_gesture_and_outcome_the_core_journals_has_words() -> None:
    assert set(PEDAL_GESTURE_WORDS) == set(GESTURES)
    assert set(PEDAL_OUTCOME_WORDS) == set(PEDAL_OUTCOMES)
