"""The two-person STOP (issue 13, item 3), through the headless core and the step form: one answer per
person per check, restatable before the check completes, each restatement journaled as a correction."""

from __future__ import annotations

from typing import Any

from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP


def _marked(form: StepForm) -> list[str]:
    return sorted(a.key for a in form.view().actions if a.selected)


def test_a_mis_tap_at_the_stop_is_restated_not_overridden_and_the_journal_keeps_both(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    form = StepForm(cart.session)
    for _step, key in [*SIGN_IN_TO_PREP, ("prep_done", "confirm")]:
        assert form.press(key), cart.session.feedback
    eng = cart.session.engine
    assert eng is not None and form.view().step_id == "stop_before_block"
    assert form.press("stop:dr_ana:left")
    assert not form.press("stop:dr_ana:left")  # the same answer twice is not a second person
    assert form.press("stop:dr_ana:right")  # a mis-tap: restated, one answer kept
    assert _marked(form) == ["stop:dr_ana:right"]  # never both LEFT and RIGHT for one person
    assert "side_not_confirmed" in eng.state.hard_stops
    assert form.press("stop:dr_ana:left")  # corrected: the stop clears, no override needed
    assert "side_not_confirmed" not in eng.state.hard_stops and _marked(form) == ["stop:dr_ana:left"]
    assert form.press("stop:odp_cy:left")  # the second person: the check completes
    assert cart.session.current_step().kind == "injection"  # type: ignore[union-attr]
    assert not form.press("stop:dr_ana:right")  # completed: no restating afterwards
    events = list(eng.journal.events())
    restated = [
        (e.operator, e.payload["was"], e.payload["side"]) for e in events if e.type == "stop_restated"
    ]
    assert restated == [("dr_ana", "left", "right"), ("dr_ana", "right", "left")]
    types = [e.type for e in events]
    assert "hard_stop_cleared" in types and "override" not in types
