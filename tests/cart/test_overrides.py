"""Overrides and the side (issue 13, item 2), through the headless core and the override view-model.

Each hard stop takes its own reason (one already given for another stop is refused); wrong side,
overdose and consent overrides need a second operator's PIN; the side shown never leaves the consent's
without a visible "side changed from LEFT — overridden by ..." carried into the PDF text and DICOM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pydicom

from sonocart.cart.cart import Cart
from sonocart.procedures.inputs import Override
from sonocart.records.export import export_record
from sonocart_ui.viewmodels.override import OverrideForm
from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP

REASON = "Patient re-consented for the right side today"


def _to_timeout_side(cart: Cart) -> StepForm:
    form = StepForm(cart.session)
    for step, key in SIGN_IN_TO_PREP[: [s for s, _ in SIGN_IN_TO_PREP].index("timeout_side")]:
        assert form.view().step_id == step
        assert form.press(key), cart.session.feedback
    return form


def _override(cart: Cart, rule: str, reason: str, second: str = "", pin: str = "") -> bool:
    return cart.session.submit(lambda op: Override(rule, reason, op, second, pin), "override")


def test_a_wrong_side_at_time_out_keeps_the_consent_side_until_two_people_override_it(
    open_cart: Any, tmp_path: Path
) -> None:
    cart, _board, _clock, _events = open_cart
    form = _to_timeout_side(cart)
    assert form.press("side:right")  # against a LEFT consent
    eng = cart.session.engine
    assert eng is not None and eng.banner()["side"] == "LEFT" and eng.banner()["side_change"] == ""
    assert not _override(cart, "side_not_confirmed", REASON)  # alone: refused
    assert "second operator" in cart.session.feedback.text  # type: ignore[union-attr]
    assert not _override(cart, "side_not_confirmed", REASON, "rn_ben", "9999")  # wrong PIN
    assert "wrong PIN for RN Ben" in cart.session.feedback.text  # type: ignore[union-attr]
    assert not _override(cart, "side_not_confirmed", REASON, "dr_ana", "1234")  # not a second person
    assert "side_not_confirmed" in eng.state.hard_stops
    assert _override(cart, "side_not_confirmed", REASON, "rn_ben", "1234")
    banner = eng.banner()
    assert banner["side"] == "RIGHT"
    assert banner["side_change"] == "side changed from LEFT — overridden by dr_ana and rn_ben"
    ov = next(e for e in eng.journal.events() if e.type == "override")
    assert ov.payload["second_operator"] == "rn_ben" and "1234" not in str(ov.payload)
    cart.capture_image(np.full((32, 32), 90, np.uint8), 0.1, (16.0, 0.0), "dr_ana")
    out = export_record(cart.session.record, "dr_ana", tmp_path / "out")  # type: ignore[arg-type]
    assert "side changed from LEFT" in out.report_json.read_text()
    still = pydicom.dcmread(next(p for p in out.dicom if p.name.startswith("us_")))
    assert still.Laterality == "R"
    assert "SIDE CHANGED FROM LEFT" in still.ImageComments


def test_a_reason_given_for_one_stop_is_refused_for_another(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    form = StepForm(cart.session)
    for key in ("member:rn_ben", "done", "confirm", "no"):  # consent not valid: a hard stop
        form.press(key)
    reason = "Consent form found in the notes, signed"
    assert _override(cart, "consent_not_valid", reason, "rn_ben", "1234")
    for key in ("side:left", "ok", "done", "done", "digit:0", "ok", "opt:not_applicable", "opt:not_required"):
        form.press(key)
    for key in ("digit:0", "ok", "no"):  # glucose 0, then infection at the site
        form.press(key)
    assert "infection_at_site" in cart.session.engine.state.hard_stops  # type: ignore[union-attr]
    assert not _override(cart, "infection_at_site", reason.upper())  # the stale reason, one touch
    assert "was given for another stop" in cart.session.feedback.text  # type: ignore[union-attr]
    assert _override(cart, "infection_at_site", "Remote site, infection on the other leg")  # one person


def test_the_override_form_starts_empty_for_each_stop_and_asks_a_second_pin_only_where_needed(
    open_cart: Any,
) -> None:
    cart, _board, _clock, _events = open_cart
    form = OverrideForm(cart.session)
    form.select("side_not_confirmed", "HARD STOP: time-out side right")
    assert form.needs_second() and "second operator" in form.title()
    keys = [a.key for a in form.actions()]
    assert "second:dr_ana" not in keys and "second:rn_ben" in keys  # not the operator themself
    for key in ("second:rn_ben", "digit:1", "digit:2"):
        form.press(key)
    form.select("infection_at_site", "HARD STOP: infection")
    assert (form.second, form.pin) == ("", "") and not form.needs_second() and form.actions() == []
