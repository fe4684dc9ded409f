"""Each team member confirms the time-out with their own PIN (issue 13, item 7): checked by the core at
the cart's input boundary with the lock's back-off per person; every refusal is journaled, no PIN is."""

from __future__ import annotations

import json
from pathlib import Path

from sonocart.clock import ManualClock
from sonocart.procedures.inputs import Confirm
from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP, started

STEP = "timeout_team"


def _at_team_confirm(tmp_path: Path) -> tuple[StepForm, ManualClock]:
    clock = ManualClock()
    session, form = started(tmp_path, clock)
    for step, key in SIGN_IN_TO_PREP:
        if step == STEP:
            break
        assert form.press(key), session.feedback
    assert form.view().step_id == STEP
    return form, clock


def _journal_text(form: StepForm) -> str:
    eng = form.session.engine
    assert eng is not None
    return "\n".join(json.dumps([e.operator, e.type, e.payload]) for e in eng.journal.events())


def test_a_member_confirms_only_with_their_own_pin_and_a_wrong_one_is_journaled(tmp_path: Path) -> None:
    form, _ = _at_team_confirm(tmp_path)
    s = form.session
    assert not s.submit(lambda _op: Confirm(STEP, "rn_ben", pin="9999"), "confirm")
    assert s.feedback is not None and "wrong PIN for RN Ben (1 in a row)" in s.feedback.text
    assert not s.submit(lambda _op: Confirm(STEP, "rn_ben", pin="1234"[:3]), "confirm")  # not dr_ana's
    assert s.engine is not None and "rn_ben" not in s.engine.state.confirmations.get(STEP, [])
    assert s.submit(lambda _op: Confirm(STEP, "rn_ben", pin="1234"), "confirm")
    assert s.engine.state.confirmations[STEP] == ["rn_ben"]
    text = _journal_text(form)
    assert text.count('"input_rejected", {"input": "Confirm", "reason": "wrong PIN for RN Ben') == 2
    assert "9999" not in text and '"pin"' not in text  # the PIN itself never reaches the record


def test_five_wrong_pins_start_a_30_s_back_off_for_that_person_only(tmp_path: Path) -> None:
    form, clock = _at_team_confirm(tmp_path)
    s = form.session
    for n in range(1, 6):
        assert not s.submit(lambda _op: Confirm(STEP, "rn_ben", pin="0000"), "confirm")
        assert s.feedback is not None and f"({n} in a row)" in s.feedback.text
    clock.advance(29.0)  # 5 wrong in a row: 30 s before the next attempt, even with the right PIN
    assert not s.submit(lambda _op: Confirm(STEP, "rn_ben", pin="1234"), "confirm")
    assert s.feedback is not None and "wait 1 s after 5 wrong PINs for RN Ben" in s.feedback.text
    assert s.submit(lambda _op: Confirm(STEP, "odp_cy", pin="1234"), "confirm")  # another member: free
    clock.advance(1.0)
    assert s.submit(lambda _op: Confirm(STEP, "rn_ben", pin="1234"), "confirm")
    assert s.engine is not None and s.engine.state.confirmations[STEP] == ["odp_cy", "rn_ben"]


def test_on_the_touchscreen_each_member_picks_their_name_and_types_their_pin(tmp_path: Path) -> None:
    form, _ = _at_team_confirm(tmp_path)
    s = form.session
    assert not form.press("member_ok")  # nobody chosen: said, nothing submitted
    for key in ("confirm_as:rn_ben", "digit:1", "digit:2", "digit:3", "digit:3"):
        assert form.press(key)
    assert form.view().actions[-1].label == "Confirm as RN Ben ****"
    assert not form.press("member_ok")  # wrong PIN: refused, and the pad is empty again
    assert s.feedback is not None and "wrong PIN for RN Ben" in s.feedback.text
    assert form.member_pin.pin == "" and form.member_pin.person == ""
    for member in ("dr_ana", "rn_ben", "odp_cy"):
        for key in (f"confirm_as:{member}", "digit:1", "digit:2", "digit:3", "digit:4"):
            assert form.press(key)
        assert form.press("member_ok"), s.feedback
    assert form.view().step_id == "prep_done"
