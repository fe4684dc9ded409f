"""Any earlier answer is correctable (issue 13, item 8): the change is journaled (who, when, old -> new,
why) and every limit derived from it is recomputed, through the headless core on a manual clock.

Hand-worked figures: ropivacaine 0.5 % = 5 mg/mL, maximum min(3 mg/kg x weight, 300 mg) (drugs.toml):
72 kg -> 216 mg; corrected to 27 kg -> 81 mg; 20 kg -> 60 mg.
"""

from __future__ import annotations

from typing import Any

import pytest

from sonocart.procedures.inputs import Correct
from tests.cart.conftest import to_injection


def _given(form: Any, clock: Any, aliquots: int) -> None:
    for _ in range(aliquots):  # 4 mL each (the settings' default)
        assert form.press("aspirate:negative")
        clock.advance(30)
        assert form.press("aliquot")


def test_a_corrected_weight_is_journaled_and_changes_the_maximum_dose_at_once(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    _given(form, clock, 1)  # 20 mg: 20 / 216 = 9.3 %
    s = cart.session
    assert s.injection_panel().fraction == pytest.approx(20 / 216)
    clock.advance(5)
    assert s.submit(lambda op: Correct("weight_kg", 27, op, "scale read in lb, re-weighed"), "weight")
    panel = s.injection_panel()
    assert panel is not None and panel.drugs[0].max_mg == 81.0
    assert panel.fraction == pytest.approx(20 / 81) and panel.ml_left == pytest.approx((81 - 20) / 5)
    st = s.engine.state
    assert st.answers["weight_kg"] == 27.0 and st.dose_fraction == pytest.approx(20 / 81, abs=1e-4)
    (c,) = st.corrections
    assert (c["step"], c["old"], c["new"], c["operator"]) == ("weight_kg", 72.0, 27.0, "dr_ana")
    assert c["wall"] == clock.wall()
    events = [e for e in s.engine.journal.events() if e.type == "dose_limits"]
    assert [e.payload["drugs"][0]["max_mg"] for e in events] == [216.0, 81.0]


def test_a_weight_corrected_below_what_was_given_raises_the_high_dose_alarm_and_escalates(
    open_cart: Any,
) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    _given(form, clock, 4)  # 80 mg: 37 % of 216 mg
    assert "dose_exceeded" not in {p.id for p in cart.session.prompts()}
    assert cart.session.submit(lambda op: Correct("weight_kg", 20, op, "weight was the child's chart"), "w")
    st = cart.session.engine.state
    assert st.dose_fraction == pytest.approx(80 / 60, abs=1e-4)  # 133 % of 60 mg
    high = next(p for p in cart.session.prompts() if p.id == "dose_exceeded")
    assert high.priority.name == "HIGH" and "133%" in high.text
    assert "local anaesthetic dose over the maximum" in st.escalation_reasons()


def test_a_corrected_yes_no_raises_and_clears_its_hard_stop(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    s = cart.session
    to_injection(cart)
    assert s.submit(lambda op: Correct("no_infection_at_site", False, op, "cellulitis seen at drape"), "c")
    assert "infection_at_site" in s.engine.state.hard_stops
    assert s.submit(lambda op: Correct("no_infection_at_site", True, op, "it was a skin marking"), "c")
    assert "infection_at_site" not in s.engine.state.hard_stops
    olds = [(c["old"], c["new"]) for c in s.engine.state.corrections]
    assert olds == [(True, False), (False, True)]


@pytest.mark.parametrize(
    ("step", "value", "reason", "refusal"),
    [
        ("consent_side", "right", "wrong side typed", "not corrected here"),
        ("weight_kg", 70, "", "needs its reason"),
        ("weight_kg", 72, "same again", "already has that answer"),
        ("weight_kg", 500, "typo fixed", "outside"),
        ("post_pain", 3, "not yet asked", "no answer yet"),
    ],
)
def test_a_correction_that_cannot_stand_is_refused_and_journaled(
    open_cart: Any, step: str, value: Any, reason: str, refusal: str
) -> None:
    cart, _board, _clock, _events = open_cart
    s = cart.session
    to_injection(cart)
    before = dict(s.engine.state.answers)
    assert not s.submit(lambda op: Correct(step, value, op, reason), "correction")
    assert s.feedback is not None and refusal in s.feedback.text
    assert s.engine.state.answers == before and s.engine.state.corrections == []
    last = list(s.engine.journal.events())[-1]
    assert last.type == "input_rejected" and last.payload["input"] == "Correct"
