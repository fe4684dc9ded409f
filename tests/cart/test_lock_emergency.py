"""No emergency behind a lock (issue 13, item 6), through the headless core on a manual clock.

The cart never locks while sterile or during LAST; a locked cart takes only the PIN and the LAST button
(no acknowledgement, no checklist answer, no note); LAST started from the locked screen lifts the lock;
the light stays the HIGH alarm while LAST lasts, whatever was acknowledged; unlocking hands every active
HIGH prompt to the view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent
from sonocart.cart.settings import UiSettings, demo_operators
from sonocart.clock import ManualClock
from sonocart.journal.store import Journal
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Acknowledge, Note, StartLast
from sonocart.records.record import JOURNAL_NAME
from sonocart_ui.viewmodels.step_form import StepForm
from tests.cart.test_cart_policies import HealthyProbe, RecordingBoard
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP

IDLE_S = 60


@pytest.fixture
def rig(tmp_path: Path) -> tuple[Cart, RecordingBoard, ManualClock, list[CartEvent]]:
    clock = ManualClock()
    board = RecordingBoard()
    settings = UiSettings(operators=demo_operators())
    settings.idle_lock_s = IDLE_S
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp_path / "records",
        clock=clock,
        settings=settings,
        probe=HealthyProbe("/nonexistent/probe", clock=clock.monotonic),
        pedal=board,  # type: ignore[arg-type]
        image_size=(320, 240),
    )
    events: list[CartEvent] = []
    cart.subscribe(events.append)
    cart.open_procedure("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    return cart, board, clock, events


def _journal_types(cart: Cart) -> list[str]:
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        return [e.type for e in journal.events()]


def _idle_lock(cart: Cart, clock: ManualClock) -> None:
    clock.advance(IDLE_S + 1)
    cart.pump()
    assert cart.lock.locked


def test_neither_idle_time_nor_the_lock_button_locks_the_cart_during_last(rig: Any) -> None:
    cart, _board, clock, _events = rig
    assert cart.session.submit(lambda op: StartLast(op), "LAST started")
    assert not cart.lock_now() and not cart.lock.locked
    clock.advance(IDLE_S * 100)
    cart.pump()
    assert not cart.lock.locked


def test_a_locked_cart_refuses_acknowledge_answers_and_notes_and_journals_none_of_them(rig: Any) -> None:
    cart, _board, clock, _events = rig
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
    rig: Any,
) -> None:
    cart, board, clock, events = rig
    _idle_lock(cart, clock)
    assert cart.session.submit(lambda op: StartLast(op), "LAST started")  # the LAST button works
    assert not cart.lock.locked
    unlocked = [e for e in events if e.kind == "lock" and not e.locked][-1]
    assert unlocked.operator == "dr_ana"  # nobody had to type a PIN
    assert any(t.startswith("LAST EMERGENCY") for t in unlocked.highs)
    assert board.lights[-1] == "alarm_high"
    assert cart.acknowledge("last_emergency")  # heard, silenced: the condition lasts
    cart.pump()
    assert board.lights[-1] == "alarm_high"  # never "ready" while LAST is active
    clock.advance(IDLE_S * 10)
    cart.pump()
    assert not cart.lock.locked


def test_acknowledging_from_a_locked_screen_is_impossible(rig: Any) -> None:
    cart, _board, clock, _events = rig
    form = StepForm(cart.session)
    for key in ("member:rn_ben", "done", "confirm", "yes", "side:left", "ok", "done", "done"):
        assert form.press(key), cart.session.feedback
    for key in ("digit:1", "digit:8", "ok"):  # glucose 18 mmol/L: a warning prompt
        form.press(key)
    prompt_ids = [p.id for p in cart.session.prompts() if not p.blocking]
    assert prompt_ids, "the glucose warning should be active"
    _idle_lock(cart, clock)
    assert not cart.acknowledge(prompt_ids[0])
    assert not cart.session.submit(lambda op: Acknowledge(prompt_ids[0], op), "ack")
    assert prompt_ids[0] in [p.id for p in cart.session.prompts()]
    assert "prompt_acknowledged" not in _journal_types(cart)


def test_unlocking_hands_every_active_high_alarm_to_the_view(rig: Any) -> None:
    cart, _board, clock, events = rig
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
