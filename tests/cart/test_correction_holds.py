"""A hard stop raised by correcting an earlier answer holds the step the procedure is on, exactly as
if the earlier answer had been given that way: the step does not complete until the stop is overridden
(by two people where the alarm table says so) or the answer corrected back. LAST and acknowledging an
alarm stay reachable behind it. Through the headless core on a manual clock, femoral block (catalogue
phases.toml order: ... prep_done, stop_before_block, inject, procedure_recorded ...).
"""

from __future__ import annotations

from typing import Any

from sonocart.cart.cart import Cart
from sonocart.procedures.engine import Engine
from sonocart.procedures.inputs import Confirm, Correct, FinishInjection, Override, StartLast
from sonocart_ui.viewmodels.step_form import StepForm
from tests.cart.conftest import to_injection
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP


def _step(cart: Cart) -> str:
    step = cart.session.current_step()
    assert step is not None
    return step.id


def _submit(cart: Cart, make: Any) -> bool:
    return cart.session.submit(make, "input")


def test_consent_corrected_to_not_valid_holds_prep_until_two_people_override_it(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = StepForm(cart.session)
    for _step_id, key in SIGN_IN_TO_PREP:
        assert form.press(key), cart.session.feedback
    assert _step(cart) == "prep_done"
    assert _submit(cart, lambda op: Correct("consent_valid", False, op, "form signed for the other knee"))
    eng = cart.session.engine
    assert eng is not None
    assert eng.state.hard_stops["consent_not_valid"]["step"] == "consent_valid"
    stop = next(p for p in cart.session.prompts() if p.id == "hard_stop:consent_not_valid")
    assert stop.blocking

    assert form.press("confirm")  # prep done: journaled, but the consent stop holds the step
    assert _step(cart) == "prep_done"
    assert "prep_done" in eng.state.confirmations
    assert not _submit(cart, lambda op: Confirm("stop_before_block", op, side="left"))
    assert "is not the step on now" in cart.session.feedback.text  # type: ignore[union-attr]

    # No emergency behind the stop: LAST starts, and its alarm is acknowledged once read.
    assert _submit(cart, lambda op: StartLast(op))
    clock.advance(1.0)
    assert cart.acknowledge("last_emergency")
    assert _step(cart) == "prep_done"

    reason = "Consent re-signed for this knee, witnessed"
    assert not _submit(cart, lambda op: Override("consent_not_valid", reason, op))  # alone
    assert "second operator" in cart.session.feedback.text  # type: ignore[union-attr]
    assert _step(cart) == "prep_done"
    assert _submit(cart, lambda op: Override("consent_not_valid", reason, op, "rn_ben", "1234"))
    assert _step(cart) == "stop_before_block"  # prep had been confirmed: it completes by itself


def test_infection_found_mid_injection_holds_the_injection_step_until_overridden(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:negative")
    clock.advance(30)
    assert form.press("aliquot")
    assert _submit(cart, lambda op: Correct("no_infection_at_site", False, op, "cellulitis under the drape"))
    assert _submit(cart, lambda op: FinishInjection(op))
    eng = cart.session.engine
    assert eng is not None and eng.state.injection_finished_wall is not None
    assert _step(cart) == "inject"

    # The hold is on the record: a restart replays to the same held step.
    again = Engine.resume(eng.catalogue, eng.journal, clock)
    assert again.state.current_step().id == "inject"  # type: ignore[union-attr]
    assert "infection_at_site" in again.state.hard_stops

    reason = "Infection is on the other leg, site clean"
    assert _submit(cart, lambda op: Override("infection_at_site", reason, op))  # one person suffices
    assert _step(cart) == "procedure_recorded"


def test_an_answer_corrected_back_releases_the_hold_without_an_override(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    form = StepForm(cart.session)
    for _step_id, key in SIGN_IN_TO_PREP:
        assert form.press(key), cart.session.feedback
    assert _submit(cart, lambda op: Correct("lipid_resus_kit", False, op, "lipid box found empty"))
    assert form.press("confirm")
    assert _step(cart) == "prep_done"
    assert _submit(cart, lambda op: Correct("lipid_resus_kit", True, op, "restocked from theatre 2"))
    eng = cart.session.engine
    assert eng is not None and "lipid_or_resus_kit_missing" not in eng.state.hard_stops
    assert _step(cart) == "stop_before_block"
    assert "lipid_or_resus_kit_missing" not in eng.state.overrides
