"""Headless cannot clear an escalation in a roster clinician's name without that clinician's PIN: the
``input`` command of ``sonocart run --headless`` (its line handler, on the cart of tests/cart on a manual
clock) goes through the same PIN check and back-off as the touchscreen (cart/pin_guard.py); every
refusal is journaled in words, never with the PIN.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from sonocart.cart.cart import Cart
from sonocart.cart.headless import HeadlessService
from tests.cart.conftest import to_injection

REASON = "Assessed: blood on aspiration, no signs of toxicity"
WRONG_PIN = "9876"  # the demo team's PIN is 1234


def _escalated(cart: Cart) -> HeadlessService:
    form = to_injection(cart)
    assert form.press("aspirate:positive")  # blood on aspiration: escalated at once
    assert cart.session.engine is not None and cart.session.engine.state.escalated()
    return HeadlessService(cart, io.StringIO(), status_every_s=0)


def _clear(service: HeadlessService, **fields: Any) -> dict[str, Any]:
    """One ``input`` command line as a client writes it; the reply line the cart writes back."""
    out = service.out
    assert isinstance(out, io.StringIO)
    start = len(out.getvalue())
    entry = {"type": "clear_escalation", "reason": REASON, **fields}
    service.handle_line(json.dumps({"cmd": "input", "input": entry}))
    lines = [json.loads(x) for x in out.getvalue()[start:].splitlines()]
    (reply,) = [x for x in lines if x.get("event") == "reply"]
    return reply


def _journal(cart: Cart) -> list[Any]:
    eng = cart.session.engine
    assert eng is not None
    return list(eng.journal.events())


@pytest.mark.parametrize("named", ["rn_ben", "RN Ben", "  rn ben  "])
def test_a_roster_clinician_named_without_their_pin_is_refused_and_journaled(
    open_cart: Any, named: str
) -> None:
    cart, _board, _clock, _events = open_cart
    service = _escalated(cart)
    reply = _clear(service, clinician=named)
    assert reply["ok"] is False and reply["error"] == "clearing as RN Ben needs RN Ben's own PIN"
    assert cart.session.engine.state.escalated()  # type: ignore[union-attr]
    last = _journal(cart)[-1]
    assert last.type == "input_rejected" and last.payload["input"] == "ClearEscalation"
    assert last.payload["reason"] == "clearing as RN Ben needs RN Ben's own PIN"


def test_a_wrong_pin_is_refused_counted_and_journaled_without_the_pin_then_the_right_one_clears(
    open_cart: Any,
) -> None:
    cart, _board, _clock, _events = open_cart
    service = _escalated(cart)
    reply = _clear(service, clinician="rn_ben", pin=WRONG_PIN)
    assert reply["ok"] is False and reply["error"] == "wrong PIN for RN Ben (1 in a row)"
    assert cart.session.engine.state.escalated()  # type: ignore[union-attr]
    reply = _clear(service, clinician="RN Ben", pin="1234")
    assert reply["ok"] is True and reply["seqs"]
    events = _journal(cart)
    (cleared,) = [e for e in events if e.type == "escalation_cleared"]
    assert cleared.payload["clinician"] == "RN Ben" and cleared.payload["clinician_id"] == "rn_ben"
    assert cleared.payload["reason"] == REASON
    assert any(e.type == "input_rejected" and "wrong PIN for RN Ben" in e.payload["reason"] for e in events)
    for e in events:
        assert WRONG_PIN not in json.dumps(e.payload) and "1234" not in json.dumps(e.payload)
    assert not cart.session.engine.state.escalated()  # type: ignore[union-attr]


def test_the_headless_pin_attempts_back_off_like_the_touchscreen(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    service = _escalated(cart)
    for n in range(1, 6):  # five free attempts (pin_guard.FREE_ATTEMPTS)
        assert (
            _clear(service, clinician="rn_ben", pin=WRONG_PIN)["error"]
            == f"wrong PIN for RN Ben ({n} in a row)"
        )
    reply = _clear(service, clinician="rn_ben", pin="1234")  # even the right PIN waits out the back-off
    assert reply["ok"] is False and reply["error"].startswith("wait 30 s after 5 wrong PINs for RN Ben")
    clock.advance(30.0)
    assert _clear(service, clinician="rn_ben", pin="1234")["ok"] is True


def test_a_clinician_not_on_the_roster_is_named_in_full_and_has_no_pin_to_give(open_cart: Any) -> None:
    cart, _board, _clock, _events = open_cart
    service = _escalated(cart)
    assert _clear(service, clinician="Dr A. Smith, on-call anaesthetist")["ok"] is True
    (cleared,) = [e for e in _journal(cart) if e.type == "escalation_cleared"]
    assert cleared.payload["clinician"] == "Dr A. Smith, on-call anaesthetist"
    assert "clinician_id" not in cleared.payload
