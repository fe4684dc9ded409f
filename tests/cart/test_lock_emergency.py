"""No emergency behind a lock (issue 13, item 6), through the headless core on a manual clock.

The cart never locks while sterile or during LAST; a locked cart takes only the PIN and the LAST button
(no acknowledgement, no checklist answer, no note); LAST started from the locked screen lifts the lock;
the light stays the HIGH alarm while LAST lasts, whatever was acknowledged; unlocking hands every active
HIGH prompt to the view.
"""

from __future__ import annotations

from typing import Any

import pytest

from sonocart.cart.cart import Cart
from sonocart.clock import ManualClock
from sonocart.journal.store import Journal
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Acknowledge, Note, StartLast
from sonocart.records.record import JOURNAL_NAME
from sonocart_ui.viewmodels.step_form import StepForm
from tests.cart.conftest import IDLE_LOCK_S
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP


def _journal_types(cart: Cart) -> list[str]:
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        return [e.type for e in journal.events()]


def _idle_lock(cart: Cart, clock: ManualClock) -> None:
    clock.advance(IDLE_LOCK_S + 1)
    cart.pump()
    assert cart.lock.locked


def test_neither_idle_time_nor_the_lock_button_locks_the_cart_during_last(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    assert cart.session.submit(lambda op: StartLast(op), "LAST started")
    assert not cart.lock_now() and not cart.lock.locked
    clock.advance(IDLE_LOCK_S * 100)
    cart.pump()
    assert not cart.lock.locked


def test_a_locked_cart_refuses_acknowledge_answers_and_notes_and_journals_none_of_them(
    open_cart: Any,
) -> None:
    cart, _board, clock, _events = open_cart
    form = StepForm(cart.session)
    assert form.press("member:rn_ben") and form.press("done")
    _idle_lock(cart, clock)
    before = _journal_types(cart)
    assert not form.press("confirm")  # the identifiers step
    assert "locked" in cart.session.feedback.text  # type: ignore[union-attr]
    assert not cart.note("written on a locked screen")
    with pytest.raises(InputRejected, match="locked"):
        cart.submit_input(Note("headless note on a locked cart", "dr_ana"))
    assert _journal_types(cart) == before
    assert cart.session.current_step().id == "patient_identifiers"  # type: ignore[union-attr]
    assert not cart.lock.screen_allowed("live") and not cart.lock.screen_allowed("alarms")
    assert cart.lock.screen_allowed("lock") and cart.lock.screen_allowed("last")


def test_last_started_on_a_locked_cart_lifts_the_lock_and_its_alarm_cannot_be_cleared_from_a_lock(
    open_cart: Any,
) -> None:
    cart, board, clock, events = open_cart
    _idle_lock(cart, clock)
    assert cart.session.submit(lambda op: StartLast(op), "LAST started")  # the LAST button works
    assert not cart.lock.locked
    unlocked = [e for e in events if e.kind == "lock" and not e.locked][-1]
    assert unlocked.operator == "dr_ana"  # nobody had to type a PIN
    assert any(t.startswith("LAST EMERGENCY") for t in unlocked.highs)
    assert board.lights[-1] == "alarm_high"
    assert not cart.acknowledge("last_emergency")  # not read yet: no blind acknowledgement
    clock.advance(1.0)
    assert cart.acknowledge("last_emergency")  # heard, silenced: the condition lasts
    assert cart.session.prompts()[0].id == "last_emergency"  # still shown
    cart.pump()
    assert board.lights[-1] == "alarm_high"  # never "ready" while LAST is active
    clock.advance(IDLE_LOCK_S * 10)
    cart.pump()
    assert not cart.lock.locked


def test_acknowledging_from_a_locked_screen_is_impossible(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = StepForm(cart.session)
    for key in (
        "member:rn_ben",
        "done",
        "confirm",
        "yes",
        "side:left",
        "ok",
        "done",
        "done",
        "digit:0",
        "ok",
    ):
        assert form.press(key), cart.session.feedback
    for key in ("opt:not_applicable", "opt:not_required"):  # pregnancy, fasting
        assert form.press(key), cart.session.feedback
    for key in ("digit:1", "digit:8", "ok"):  # glucose 18 mmol/L: a warning prompt
        form.press(key)
    prompt_ids = [p.id for p in cart.session.prompts() if not p.blocking]
    assert prompt_ids, "the glucose warning should be active"
    _idle_lock(cart, clock)  # the prompt has been up for over a minute: read, yet refused while locked
    assert not cart.acknowledge(prompt_ids[0])
    assert not cart.session.submit(lambda op: Acknowledge(prompt_ids[0], op), "ack")
    assert prompt_ids[0] in [p.id for p in cart.session.prompts()]
    assert "prompt_acknowledged" not in _journal_types(cart)


def test_unlocking_hands_every_active_high_alarm_to_the_view(open_cart: Any) -> None:
    cart, _board, clock, events = open_cart
    form = StepForm(cart.session)
    to_timeout_side = SIGN_IN_TO_PREP[: [s for s, _ in SIGN_IN_TO_PREP].index("timeout_side")]
    for step, key in to_timeout_side:
        assert form.view().step_id == step
        assert form.press(key), cart.session.feedback
    form.press("side:right")  # against a LEFT consent: a HIGH hard stop at the time-out
    highs = [p.text for p in cart.session.prompts() if p.priority.name == "HIGH"]
    assert any("does not match the consent" in h for h in highs)
    _idle_lock(cart, clock)  # the time-out is not a sterile phase
    assert not cart.unlock("rn_ben", "0000") and cart.lock.locked
    assert cart.unlock("rn_ben", "1234")
    unlocked = [e for e in events if e.kind == "lock" and not e.locked][-1]
    assert list(unlocked.highs) == highs and unlocked.operator == "rn_ben"
