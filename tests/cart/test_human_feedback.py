"""What the core says to staff is in human words (#14 item 3): every toast and every journaled refusal.

The e2e UI scan waits toasts out before it looks, so the core's feedback texts (:meth:`CartSession.say`)
are scanned here instead: every catalogue procedure is walked, headless on a manual clock, making the
wrong moves a tired team makes at each step (the wrong step answered, a confirmation for an answer and
an answer for a confirmation, a number out of range, a team of one, a wrong PIN, too many wrong PINs,
the confirmation of someone not on the team, the same person's second STOP, an override of a stop that
is not up or without its second person, an aspiration or aliquot before the injection, an unknown
syringe, a pedal and an unlock attempt while locked). Every text said and every refusal journaled is
checked against the shared :data:`tests.human_text.MACHINE_TEXT` pattern, an oracle the core never sees.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from sonocart.cart import settings
from sonocart.cart.cart import Cart
from sonocart.cart.events import Feedback
from sonocart.cart.pedal_actions import CONFIRM_KINDS
from sonocart.cart.settings import Operator, demo_operators
from sonocart.clock import ManualClock
from sonocart.procedures import inputs as I
from tests.cart.conftest import Rig
from tests.human_text import MACHINE_TEXT
from tests.procedures.procedure_drivers import DEFAULT_ANSWERS

PIN = "1234"  # the demo roster's PIN (settings.demo_operators)
WRONG = "9999"
TEAM = ["dr_ana", "rn_ben"]
MEDS = [
    {"id": "A", "labelled": True, "contents": [{"drug": "lidocaine", "percent": 1.0}]},
    {"id": "B", "labelled": True, "contents": [{"drug": "lidocaine", "percent": 1.0}]},
]
ANSWERS: dict[str, Any] = {**DEFAULT_ANSWERS, "team": TEAM, "medications": MEDS}


@pytest.fixture
def demo_roster(monkeypatch: pytest.MonkeyPatch) -> list[Operator]:
    """The ``rig``'s demo team with PINs hashed and checked by scrypt at n = 2 instead of 2**14: the walk
    checks about 110 PINs (right, wrong, past the back-off), 9 s of scrypt, and judges only the words
    said; a wrong PIN is still wrong. The real cost is checked on its own (tests/hostile/test_pin_attempts,
    tests/cart/test_first_start)."""
    monkeypatch.setattr(settings, "SCRYPT_N", 2)
    return demo_operators()


def _answer(cart: Cart, step: Any) -> Any:
    if step.id in ANSWERS:
        return copy.deepcopy(ANSWERS[step.id])
    if step.kind == "yesno":
        return True if step.expect is None else step.expect
    if step.kind == "side":
        eng = cart.session.engine
        assert eng is not None
        return eng.state.answers.get("consent_side", eng.state.procedure.sides[0])
    if step.kind == "choice":
        return [step.options[0]] if step.multiple else step.options[0]
    raise AssertionError(f"no answer for {step.id}")


def _wrong_moves_at(cart: Cart, board: Any, step: Any, other_step: str) -> None:
    """The moves a tired team makes at ``step``: each is refused (or harmless) and said."""
    s = cart.submit
    if step.kind not in (*CONFIRM_KINDS, "team_confirm", "two_person_stop", "injection"):
        cart.touched()  # the team is at the cart: no idle lock
        board.gesture("B", "hold")  # the pedal's confirm at a step that takes an answer
        cart.pump()
    s(lambda op: I.Answer(other_step, True, op), "answered yes")  # a step not on screen
    s(lambda op: I.Override("side_not_confirmed", "wrong side marked", op), "override")  # not up
    s(lambda op: I.Aspirate("negative", op), "aspiration negative (touch)")
    if step.kind in ("confirm", "discharge", "follow_up", "captures", "observation", "team_confirm"):
        s(lambda op: I.Answer(step.id, True, op), "answered yes")
    else:
        s(lambda op: I.Confirm(step.id, op), f"{step.text} — confirmed")
    if step.kind == "number":
        s(lambda op: I.Answer(step.id, 10**6, op), "recorded")
    if step.id == "team":
        s(lambda op: I.Answer(step.id, ["dr_ana"], op), "team recorded")
    if step.kind == "team_confirm":
        s(lambda _op: I.Confirm(step.id, "odp_cy", pin=PIN), "ODP Cy confirmed")  # not on the team
        for _ in range(7):  # too many wrong PINs: the back-off starts
            s(lambda _op: I.Confirm(step.id, "rn_ben", pin=WRONG), "RN Ben confirmed")


def _stop_moves_at(cart: Cart, step: Any) -> None:
    """A hard-stop answer given by mistake: overridden without its second person, by the same person as
    second, with the second person's wrong PIN; then the answer put right."""
    if step.kind != "yesno" or step.hard_stop is None or step.expect is None:
        return
    s, rule = cart.submit, step.hard_stop
    s(lambda op: I.Answer(step.id, not step.expect, op), "answered")
    s(lambda op: I.Override(rule, "clinician decision", op), "override")
    s(lambda op: I.Override(rule, "clinician decision", op, op, PIN), "override")
    s(lambda op: I.Override(rule, "clinician decision", op, "rn_ben", WRONG), "override")


def _correction_moves(cart: Cart, step: Any) -> None:
    """Corrections a tired team tries: the same answer again, no reason, a step not answered yet."""
    eng = cart.session.engine
    assert eng is not None
    answered = [k for k in ("weight_kg", "consent_side") if k in eng.state.answers]
    for sid in answered:
        old = eng.state.answers[sid]
        cart.submit(lambda op, k=sid, v=old: I.Correct(k, v, op, "typed it wrong"), "corrected")
        cart.submit(lambda op, k=sid, v=old: I.Correct(k, v, op, ""), "corrected")
    cart.submit(lambda op: I.Correct(step.id, True, op, "typed it wrong"), "corrected")


def _walk_step(cart: Cart, clock: ManualClock, step: Any) -> None:
    """Do the step right (the two-person STOP with its same-person second STOP first)."""
    s, kind = cart.submit, step.kind
    eng = cart.session.engine
    assert eng is not None
    if kind in ("confirm", "discharge", "follow_up"):
        s(lambda op: I.Confirm(step.id, op), f"{step.text} — confirmed")
    elif kind == "team_confirm":
        cart.session.pins.passed("rn_ben")  # the back-off waited out
        for member in eng.state.team():
            s(lambda _op, m=member: I.Confirm(step.id, m, pin=PIN), "confirmed")
    elif kind == "two_person_stop":
        side = eng.state.answers["consent_side"]
        s(lambda _op: I.Confirm(step.id, "dr_ana", side), f"STOP: {side}")
        s(lambda _op: I.Confirm(step.id, "dr_ana", side), f"STOP: {side}")  # the same person again
        s(lambda _op: I.Confirm(step.id, "rn_ben", side), f"STOP: {side}")
    elif kind == "injection":
        s(lambda op: I.LogAliquot(3, op), "aliquot 3 mL logged")  # two syringes: which one?
        s(lambda op: I.LogAliquot(3, op, syringe="Z"), "aliquot 3 mL logged")  # never drawn
        cart.session.aspirate("negative", "touch")
        clock.advance(20)
        s(lambda op: I.LogAliquot(3, op, syringe="A"), "aliquot 3 mL logged")
        s(lambda op: I.FinishInjection(op), "injection finished")
    elif kind == "captures":
        cart.capture_image(np.zeros((64, 64), np.uint8), 0.2, (32.0, 0.0), cart.session.operator)
    elif kind == "observation":
        clock.advance(eng.state.procedure.observation_minutes * 60)
        cart.session.tick()
    else:
        value = _answer(cart, step)
        s(lambda op: I.Answer(step.id, value, op), "recorded")


def _locked_moves(cart: Cart, board: Any) -> None:
    """The screen locked: a pedal pressed, wrong PINs past the free ones, an attempt inside the wait."""
    assert cart.lock_now()
    board.gesture("left", "tap")
    cart.pump()
    for _ in range(7):
        cart.unlock("rn_ben", WRONG)
    cart.lock.retry_at = 0.0  # the wait over
    assert cart.unlock("dr_ana", PIN)


def _said_and_refused(rig: Rig) -> list[str]:
    cart, board, clock, events = rig
    assert len(cart.session.catalogue.procedures) >= 8  # every shipped procedure is walked
    texts: list[str] = []
    for proc_id, proc in cart.session.catalogue.procedures.items():
        cart.open_procedure(proc_id, {"name": "Jane Doe", "id": "MRN1"}, 72.0, "dr_ana")
        steps = [st.id for ph in proc.phases for st in ph.steps]
        _locked_moves(cart, board)
        for _ in range(len(steps) + 5):
            step = cart.session.current_step()
            if step is None:
                break
            other = next(i for i in reversed(steps) if i != step.id)
            _wrong_moves_at(cart, board, step, other)
            _stop_moves_at(cart, step)
            _correction_moves(cart, step)
            _walk_step(cart, clock, step)
            if cart.session.current_step() is step:
                break  # stuck: what it said is in the feedback
        assert cart.session.current_step() is None, (proc_id, cart.session.feedback)  # walked to the end
        record = cart.session.record
        assert record is not None
        for ev in record.journal.events():
            if ev.type == "input_rejected":
                texts.append(str(dict(ev.payload).get("reason", ev.payload)))
        cart.close_record()
    texts += [ev.text for ev in events if isinstance(ev, Feedback)]
    return texts


def test_no_feedback_or_refusal_names_an_identifier(rig: Rig) -> None:
    texts = _said_and_refused(rig)
    machine = sorted({t for t in texts if MACHINE_TEXT.search(t)})
    assert machine == [], "\n".join(machine)
    assert len(texts) > 300  # the walk said and refused things
