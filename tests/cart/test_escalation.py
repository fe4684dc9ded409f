"""Escalation (issue 13, item 5), through the headless core on a manual clock.

A dose over the maximum, blood on aspiration or suspected LAST extends the observation to the end of the
60-min LAST watch (last.toml) and blocks discharge until a named clinician clears it; the clearance is
journaled with the clinician's name and reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pypdf

from sonocart.cart.cart import Cart
from sonocart.clock import ManualClock
from sonocart.journal.store import Journal
from sonocart.procedures.inputs import ClearEscalation
from sonocart.records.export import export_record
from sonocart.records.record import JOURNAL_NAME
from sonocart_ui.viewmodels.step_form import StepForm
from tests.cart.conftest import to_injection

MIN = 60.0


def _inject_and_sign_out(cart: Cart, clock: ManualClock, form: StepForm, complications: str) -> None:
    cart.capture_image(np.full((32, 32), 100, np.uint8), 0.1, (16.0, 0.0), "dr_ana")
    assert form.press("finish")
    assert form.press("confirm")  # procedure recorded (images captured completes by itself)
    assert form.press(f"opt:{complications}") and form.press("done")
    assert form.press("no") and form.press("confirm")
    assert cart.session.current_step().id == "observe"  # type: ignore[union-attr]


def _step(cart: Cart) -> str:
    return cart.session.current_step().id  # type: ignore[union-attr]


def _wait(cart: Cart, clock: ManualClock, seconds: float) -> None:
    """Time passes with the team at the cart (touching it: the idle lock stays off)."""
    clock.advance(seconds)
    cart.touched()
    cart.pump()


def test_an_overdose_extends_observation_to_the_last_watch_and_blocks_discharge_until_cleared(
    open_cart: Any,
) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    cart.session.set_aliquot_ml(45.0)  # 225 mg ropivacaine > 216 mg for 72 kg
    assert form.press("aspirate:negative") and form.press("aliquot")
    esc = next(p for p in cart.session.prompts() if p.id == "escalated")
    assert "dose over the maximum" in esc.text and "60-min LAST watch" in esc.text
    _inject_and_sign_out(cart, clock, form, "none")
    _wait(cart, clock, 31 * MIN)  # the usual 30-min observation is over...
    assert _step(cart) == "observe"  # ...but this one runs to 60 min after the injection
    assert form.press("confirm")  # confirmed early: held by a stop that names the LAST watch
    assert any("60-min LAST watch" in p.text for p in cart.session.prompts() if p.blocking)
    _wait(cart, clock, 30 * MIN)  # 61 min after the injection: the watch is over, the stop clears
    _vitals_and_block_after(cart, form)
    assert _step(cart) == "post_pain"
    assert form.press("digit:2") and form.press("ok")
    assert _step(cart) == "discharge"
    assert not form.press("confirm")  # still blocked: nobody has cleared it
    assert "a named clinician must clear it" in cart.session.feedback.text  # type: ignore[union-attr]
    assert not cart.session.submit(lambda op: ClearEscalation("", "fine", op), "clear")
    assert cart.session.submit(
        lambda op: ClearEscalation("Dr A. Smith", "No signs of LAST at 60 min; vitals normal", op), "clear"
    )
    ids = {p.id for p in cart.session.prompts()}
    assert "escalated" not in ids and "dose_exceeded" not in ids  # both end with the clearance
    assert form.press("confirm") and _step(cart) == "follow_up"
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        (cleared,) = [e for e in journal.events() if e.type == "escalation_cleared"]
    assert cleared.payload["clinician"] == "Dr A. Smith"
    assert cleared.payload["reasons"] == ["local anaesthetic dose over the maximum"]
    assert cleared.operator == "dr_ana"


def test_suspected_last_at_sign_out_escalates_and_a_clearance_lets_the_30_min_observation_end(
    open_cart: Any,
) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:negative") and form.press("aliquot")  # 4 mL: a normal dose
    assert "escalated" not in {p.id for p in cart.session.prompts()}
    _inject_and_sign_out(cart, clock, form, "suspected_last")
    assert "suspected LAST" in next(p.text for p in cart.session.prompts() if p.id == "escalated")
    assert cart.session.submit(
        lambda op: ClearEscalation("Dr B. Jones", "Reviewed: anxiety, no LAST signs", op), "clear"
    )
    _wait(cart, clock, 31 * MIN)  # cleared: the usual 30-min observation ends by itself
    _vitals_and_block_after(cart, form)
    assert _step(cart) == "post_pain"


def test_blood_on_aspiration_escalates_even_after_a_clean_reaspiration(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:positive") and form.press("aspirate:negative")
    assert "positive_aspiration" not in {p.id for p in cart.session.prompts()}
    esc = next(p for p in cart.session.prompts() if p.id == "escalated")
    assert "blood on aspiration" in esc.text
    assert cart.session.engine.state.escalated()  # type: ignore[union-attr]


def _vitals_and_block_after(cart: Any, form: Any) -> None:
    """Heart rate 70, systolic 128, SpO2 98 after the observation; the block assessed complete."""
    for step, digits in (("hr_after", "70"), ("sbp_after", "128"), ("spo2_after", "98")):
        assert _step(cart) == step
        for key in [*(f"digit:{d}" for d in digits), "ok"]:
            assert form.press(key), cart.session.feedback
    assert _step(cart) == "block_assessment" and form.press("opt:complete")


def test_on_the_touchscreen_a_named_clinician_clears_with_their_pin_and_a_reason(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    cart.session.set_aliquot_ml(45.0)  # 225 mg ropivacaine > 216 mg for 72 kg: escalated
    assert form.press("aspirate:negative") and form.press("aliquot")
    _inject_and_sign_out(cart, clock, form, "none")
    _wait(cart, clock, 61 * MIN)  # the whole LAST watch
    _vitals_and_block_after(cart, form)
    assert form.press("digit:2") and form.press("ok") and _step(cart) == "discharge"
    assert not form.press("clear_escalation")  # nobody named, no reason: refused, nothing journaled
    reason = "Assessed: over-maximum dose without signs of toxicity; observed through the LAST watch"
    keys = [a.key for a in form.view().actions]
    assert form.press(
        next(k for k in keys if k.startswith("clear_reason:") and "over-maximum" in _label(form, k))
    )
    for key in ("clinician:rn_ben", "digit:9", "digit:9", "digit:9", "digit:9"):
        assert form.press(key)
    assert not form.press("clear_escalation")
    assert "wrong PIN for RN Ben" in cart.session.feedback.text  # type: ignore[union-attr]
    for key in ("clinician:rn_ben", "digit:1", "digit:2", "digit:3", "digit:4"):
        assert form.press(key)
    assert form.view().actions[-1].label == "Clear for discharge: RN Ben ****"
    assert form.press("clear_escalation"), cart.session.feedback
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        events = list(journal.events())
    (cleared,) = [e for e in events if e.type == "escalation_cleared"]
    assert cleared.payload["clinician"] == "RN Ben" and cleared.payload["clinician_id"] == "rn_ben"
    assert cleared.payload["reason"] == reason and cleared.operator == "dr_ana"
    assert any(e.type == "input_rejected" and "wrong PIN for RN Ben" in e.payload["reason"] for e in events)
    assert form.press("confirm") and _step(cart) == "follow_up"
    # A de-identified chart note names nobody, the clearing clinician included (read back with pypdf).
    pdf = export_record(cart.session.record, "dr_ana", deidentify=True).report_pdf  # type: ignore[arg-type]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)
    assert "cleared for discharge by a named clinician" in text
    assert "RN Ben" not in text and "rn_ben" not in text and "Dr Ana" not in text


def _label(form: StepForm, key: str) -> str:
    return next(a.label for a in form.view().actions if a.key == key)
