"""The dose guard before the fact (issue 13, item 4), through the headless core on a manual clock.

The core exposes the injection panel (drug, concentration, cumulative mg and mL, mL left to the
maximum); an aspiration made with the next aliquot's volume warns before it would cross 80 % or 100 %;
an aliquot already given is recorded whatever was skipped. The figures are worked by hand below.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cart.conftest import to_injection

# Femoral block, 72 kg, ropivacaine 0.5 % = 5 mg/mL; maximum min(3 mg/kg x 72, 300 mg) = 216 mg.
MAX_MG = 216.0


def test_the_panel_carries_drug_concentration_totals_and_ml_left(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    form = to_injection(cart)
    panel = cart.session.injection_panel()
    assert panel is not None and panel.total_ml == 0 and panel.ml_left == pytest.approx(MAX_MG / 5)
    assert form.press("aspirate:negative") and form.press("aliquot")  # 4 mL (the settings' default)
    panel = cart.session.injection_panel()
    assert panel is not None
    (drug,) = panel.drugs
    assert drug.name == "ROPIVAcaine"  # the screen's panel in tall-man letters (ISMP), written out here
    assert (drug.name.lower(), drug.mg_per_ml, drug.mg_given, drug.max_mg) == (
        "ropivacaine",
        5.0,
        20.0,
        MAX_MG,
    )
    assert panel.total_ml == 4 and panel.fraction == pytest.approx(20 / MAX_MG, abs=1e-4)
    assert panel.ml_left == pytest.approx((MAX_MG - 20) / 5)  # 39.2 mL
    assert "39.2 mL left to the maximum" in form.view().detail


def test_the_drug_line_keeps_each_number_with_its_unit(open_cart: Any) -> None:
    """The narrow column cuts texts between words: "ROPIVAcaine 0.5 % (5" on one page and "mg/mL)" on the
    next reads as a different drug. Each number and its unit are one word (a no-break space between), the
    rest breaks at plain spaces; written out by hand for the femoral block's 4 mL of 0.5 % (5 mg/mL)."""
    cart, _board, _clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:negative") and form.press("aliquot")
    panel = cart.session.injection_panel()
    assert panel is not None
    (drug,) = panel.drugs
    nbsp = "\u00a0"
    assert drug.text() == f"ROPIVAcaine 0.5{nbsp}% (5{nbsp}mg/mL): 20 of 216{nbsp}mg"
    assert drug.text().split(" ") == [
        "ROPIVAcaine",
        f"0.5{nbsp}%",
        f"(5{nbsp}mg/mL):",
        "20",
        "of",
        f"216{nbsp}mg",
    ]


def test_a_large_next_aliquot_warns_high_before_it_is_given_and_is_recorded_when_given(
    open_cart: Any,
) -> None:
    cart, board, clock, _events = open_cart
    form = to_injection(cart)
    cart.session.set_aliquot_ml(45.0)  # 225 mg = 104 % of 216 mg
    panel = cart.session.injection_panel()
    assert panel is not None and panel.warning == "exceed"
    assert "104%" in panel.warning_text() and "43.2 mL left" in panel.warning_text()
    board.gesture("B", "hold")  # the pedal's negative aspiration carries the planned volume
    cart.pump()
    warn = next(p for p in cart.session.prompts() if p.id == "dose_will_exceed")
    assert warn.priority.name == "HIGH" and "high" in board.buzzes
    clock.advance(30)
    assert form.press("aliquot")  # given anyway: recorded as given, over the limit
    st = cart.session.engine.state  # type: ignore[union-attr]
    assert st.aliquots[-1].volume_ml == 45 and st.aliquots[-1].over_limit
    assert "dose_exceeded" in {p.id for p in cart.session.prompts()}


def test_crossing_80_percent_is_a_medium_warning_before_the_aliquot(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    cart.session.set_aliquot_ml(30.0)  # 150 mg = 69 %
    assert form.press("aspirate:negative") and form.press("aliquot")
    clock.advance(30)
    cart.session.set_aliquot_ml(5.0)  # 175 mg = 81 %: crosses 80 %
    assert form.press("aspirate:negative")
    warn = next(p for p in cart.session.prompts() if p.id == "dose_will_approach")
    assert warn.priority.name == "MEDIUM" and "81%" in warn.text


def test_an_aliquot_logged_before_aspirating_is_counted_and_flagged(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aliquot")  # no aspiration first: still what the patient received
    st = cart.session.engine.state  # type: ignore[union-attr]
    assert st.mg_by_drug["ropivacaine"] == pytest.approx(20.0)
    assert st.aliquots[-1].flags == ("no negative aspiration before it",)
