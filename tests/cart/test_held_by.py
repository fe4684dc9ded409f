"""When a hard stop raised at an earlier step holds the step the procedure is on, the core says why, in
one text (``CartSession.held_by()``), which the step's panel and headless ``state``/``status`` carry; the
message on an input accepted while the step stays held (the step form's confirmation, the pedal's
acknowledge-or-confirm and its journaled ``pedal_gesture``) points to that line once, never repeats it. A
stop of the current step's own answer is that step's prompt and is not called a hold. Femoral block on
a manual clock; the expected words are written out from the catalogue (phases.toml consent_valid and
lipid_resus_kit texts, alarms.toml: consent_not_valid needs a second person, the lipid kit does not).
"""

from __future__ import annotations

import io
import json
from typing import Any

from sonocart.cart.cart import Cart
from sonocart.cart.headless import HeadlessService
from sonocart.procedures.inputs import Answer, Correct, Override
from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP

CONSENT_HELD = (
    "Held: Consent is signed, in date and covers this procedure. - answered no"
    " (override needs a second person) — override it or correct the earlier answer"
)
#: the message's pointer to the held line (holds.STILL_HELD), written out
POINTER = " — the step is still held: the Held line says why"
LIPID_WORDS = "20% lipid emulsion and resuscitation kit present and checked. - answered no"


def _at_prep(cart: Cart) -> StepForm:
    form = StepForm(cart.session)
    for _step_id, key in SIGN_IN_TO_PREP:
        assert form.press(key), cart.session.feedback
    step = cart.session.current_step()
    assert step is not None and step.id == "prep_done"
    return form


def _submit(cart: Cart, make: Any) -> bool:
    return cart.session.submit(make, "input")


def _headless(service: HeadlessService, cmd: str) -> dict[str, Any]:
    out = service.out
    assert isinstance(out, io.StringIO)
    start = len(out.getvalue())
    service.handle_line(json.dumps({"cmd": cmd}))
    (reply,) = [json.loads(x) for x in out.getvalue()[start:].splitlines()]
    return dict(reply)


def test_a_corrected_consent_holds_prep_and_the_step_form_headless_and_override_say_so(
    open_cart: Any,
) -> None:
    cart, _board, _clock, _events = open_cart
    form = _at_prep(cart)
    service = HeadlessService(cart, io.StringIO(), status_every_s=0)
    assert cart.session.held_by() == ""
    assert _headless(service, "status")["held"] == ""

    assert _submit(cart, lambda op: Correct("consent_valid", False, op, "form signed for the other knee"))
    assert cart.session.held_by() == CONSENT_HELD
    assert cart.session.feedback is not None and cart.session.feedback.text == f"input{POINTER}"

    assert form.press("confirm")  # accepted and journaled, and the step does not go on: it says why
    assert cart.session.current_step().id == "prep_done"  # type: ignore[union-attr]
    assert cart.session.feedback is not None and cart.session.feedback.text.endswith(POINTER)
    assert "Consent" not in cart.session.feedback.text  # said once, on the panel, not again in the message
    for cmd in ("state", "status"):
        reply = _headless(service, cmd)
        assert (reply["step"], reply["held"]) == ("prep_done", CONSENT_HELD)

    reason = "Consent re-signed for this knee, witnessed"
    assert _submit(cart, lambda op: Override("consent_not_valid", reason, op, "rn_ben", "1234"))
    assert cart.session.current_step().id == "stop_before_block"  # type: ignore[union-attr]
    assert cart.session.held_by() == ""
    assert cart.session.feedback is not None and cart.session.feedback.text == "input"
    assert _headless(service, "status")["held"] == ""


def test_the_pedal_confirmation_on_a_held_step_points_to_the_held_line_and_journals_it(
    open_cart: Any,
) -> None:
    cart, board, _clock, _events = open_cart
    _at_prep(cart)
    assert _submit(cart, lambda op: Correct("lipid_resus_kit", False, op, "lipid box found empty"))
    held = cart.session.held_by()
    assert held == f"Held: {LIPID_WORDS} — override it or correct the earlier answer"  # one person may

    board.gesture("B", "hold")  # sterile context: acknowledge or confirm, here the prep step
    cart.pump()
    assert cart.session.current_step().id == "prep_done"  # type: ignore[union-attr]
    eng = cart.session.engine
    assert eng is not None and "prep_done" in eng.state.confirmations
    gesture = [e for e in eng.journal.events() if e.type == "pedal_gesture"][-1]
    assert gesture.payload["outcome"] == "done"
    assert gesture.payload["detail"].endswith(POINTER) and LIPID_WORDS not in gesture.payload["detail"]
    assert cart.session.feedback is not None and cart.session.feedback.text == gesture.payload["detail"]


def test_several_holds_are_named_oldest_first_and_each_released_on_its_own(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    _at_prep(cart)
    assert _submit(cart, lambda op: Correct("lipid_resus_kit", False, op, "lipid box found empty"))
    assert _submit(cart, lambda op: Correct("consent_valid", False, op, "form signed for the other knee"))
    assert cart.session.held_by() == (
        f"Held: {LIPID_WORDS}; Consent is signed, in date and covers this procedure. - answered no"
        " (override needs a second person) — override each or correct the earlier answer"
    )
    assert _submit(cart, lambda op: Correct("lipid_resus_kit", True, op, "restocked from theatre 2"))
    assert cart.session.held_by() == CONSENT_HELD


def test_a_stop_of_the_current_steps_own_answer_is_its_prompt_not_a_hold(rig: Any) -> None:
    cart, _board, _clock, _events = rig
    cart.open_procedure("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    form = StepForm(cart.session)
    for step_id, key in SIGN_IN_TO_PREP:
        if step_id == "consent_valid":
            break
        assert form.press(key), cart.session.feedback
    assert cart.session.current_step().id == "consent_valid"  # type: ignore[union-attr]
    assert _submit(cart, lambda op: Answer("consent_valid", False, op))
    eng = cart.session.engine
    assert eng is not None and "consent_not_valid" in eng.state.hard_stops
    assert any(p.id == "hard_stop:consent_not_valid" and p.blocking for p in cart.session.prompts())
    assert cart.session.held_by() == ""
