"""The written alarm and prompt table (issue 13, item 1), through the headless core on a manual clock.

HIGH only for conditions needing immediate action; prompts expire with their step, phase or condition;
a HIGH indication stays while its condition lasts whatever was acknowledged; an acknowledgement needs the
prompt's text on screen for the table's reading time (the view reports what it shows); image loss during
needle work raises a HIGH alarm that holds until the image is back.
"""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np

from sonocart.cart.cart import Cart
from sonocart.journal.store import Event, Journal
from sonocart.procedures.catalogue import default_catalogue_dir, load_catalogue
from sonocart.procedures.inputs import Acknowledge
from sonocart.procedures.state_base import CONDITION_WORDS
from sonocart.records.record import JOURNAL_NAME
from sonocart.wire import probe_codec as pc
from tests.cart.conftest import to_injection
from tests.human_text import MACHINE_TEXT

#: Written here from the issue's list (IEC 60601-1-8 "immediate response"), not read from the table.
IMMEDIATE_ACTION = {
    "last_emergency",
    "dose_exceeded",
    "dose_will_exceed",
    "hard_stop:dose_above_limit",
    "positive_aspiration",
    "image_lost",
    "hard_stop:side_not_confirmed",
    "timer:lipid_bolus",
    "timer:lipid_repeat_bolus_check",
    "timer:lipid_infusion",
}


def _frame(n: int) -> pc.Frame:
    lines = np.tile(np.linspace(0, 60000, 256, dtype=np.uint16), (64, 1))
    geom = pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, 40.0, width_mm=38.0)
    return pc.Frame(n, n, n * 33_000, 0, geom, lines)


def _journal(cart: Cart) -> list[Event]:
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        return list(journal.events())


def _ids(cart: Cart) -> list[str]:
    return [p.id for p in cart.session.prompts()]


def test_the_table_gives_high_only_to_immediate_action_conditions_and_cites_iec_for_each_row() -> None:
    raw = tomllib.loads((default_catalogue_dir() / "alarms.toml").read_text())["prompts"]
    high = {k for k, row in raw.items() if row["priority"] == "HIGH"}
    assert high == IMMEDIATE_ACTION
    assert all("iec_60601_1_8" in row["source"] for row in raw.values())
    for administrative in ("hard_stop:consent_not_valid", "hard_stop:images_captured_incomplete"):
        assert raw[administrative]["priority"] == "LOW"
    assert raw["timer:observation"]["priority"] == "LOW"  # "observation complete" is information
    cat = load_catalogue()
    assert cat.alarm_rule("timer:post_pain_30").key == "timer:post_pain"  # type: ignore[union-attr]
    assert cat.alarm_rule("large_aliquot:81").priority == "MEDIUM"  # type: ignore[union-attr]


def test_every_prompt_a_whole_procedure_raises_is_in_the_table(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:positive")
    assert form.press("aspirate:negative") and form.press("aliquot")
    clock.advance(25)
    cart.pump()
    assert form.press("finish")
    raised = {e.payload["id"] for e in _journal(cart) if e.type == "prompt_raised"}
    raised |= {f"hard_stop:{e.payload['rule']}" for e in _journal(cart) if e.type == "hard_stop"}
    assert {"positive_aspiration", "timer:aliquot_pause", "last_watch"} <= raised
    assert all(cart.session.catalogue.alarm_rule(i) is not None for i in raised), raised


def test_pause_over_expires_with_the_injection_step_and_the_expiry_is_journaled(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:negative") and form.press("aliquot")
    clock.advance(25)  # the 20 s pause is over: "Pause over: aspirate"
    cart.pump()
    assert "timer:aliquot_pause" in _ids(cart)
    assert form.press("finish")  # on to sign-out, nobody acknowledged it
    assert "timer:aliquot_pause" not in _ids(cart)
    (expired,) = [
        e for e in _journal(cart) if e.type == "prompt_expired" and e.payload["id"].startswith("timer:")
    ]
    assert expired.payload == {"id": "timer:aliquot_pause", "why": "step ended: Injection"}


def test_a_high_alarm_stays_shown_after_its_acknowledgement_while_its_condition_lasts(open_cart: Any) -> None:
    cart, board, clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:positive")  # blood: do not inject
    assert board.lights[-1] == "alarm_high" and "high" in board.buzzes  # (and the MEDIUM escalation)
    clock.advance(1.0)
    assert cart.acknowledge("positive_aspiration")
    (prompt,) = [p for p in cart.session.prompts() if p.id == "positive_aspiration"]
    assert prompt.acknowledged and prompt.priority.name == "HIGH"
    cart.pump()
    assert board.lights[-1] == "alarm_high"  # the indication stays: the condition lasts
    assert not cart.acknowledge("positive_aspiration")  # nothing more to acknowledge
    assert form.press("aspirate:negative")  # repositioned, clear: the condition has ended
    assert "positive_aspiration" not in _ids(cart)
    assert any(
        e.type == "prompt_expired" and e.payload["why"] == "the positive aspiration ended"
        for e in _journal(cart)
    )


def test_six_quick_acknowledgements_clear_only_what_was_on_screen_for_a_second(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    form = to_injection(cart)
    assert form.press("aspirate:negative")
    cart.session.set_aliquot_ml(8.0)  # above the 3-5 mL aliquot: a MEDIUM prompt
    assert form.press("aliquot")
    clock.advance(25)
    cart.pump()  # and "Pause over": two prompts now
    ids = _ids(cart)
    assert len(ids) == 2
    cart.session.prompts_shown({ids[0]})  # the view shows the top one on the bar
    taps = [cart.session.submit(lambda op, i=i: Acknowledge(i, op), "ack") for i in ids * 3]
    assert taps == [False] * 6  # one not read long enough, the other not on screen at all
    clock.advance(1.0)
    assert not cart.session.submit(lambda op: Acknowledge(ids[1], op), "ack")  # still not on screen
    assert cart.session.submit(lambda op: Acknowledge(ids[0], op), "ack")
    cart.session.prompts_shown({ids[1]})  # now the bar shows the next one: read it first
    assert not cart.session.submit(lambda op: Acknowledge(ids[1], op), "ack")
    clock.advance(1.0)
    assert cart.session.submit(lambda op: Acknowledge(ids[1], op), "ack")
    acks = [e for e in _journal(cart) if e.type == "prompt_acknowledged" and not e.payload.get("auto")]
    assert [a.payload["id"] for a in acks] == ids


def test_image_loss_during_needle_work_raises_a_high_alarm_until_the_image_is_back(open_cart: Any) -> None:
    cart, board, clock, _events = open_cart
    to_injection(cart)
    cart.probe.latest.put(_frame(1), clock.monotonic())
    cart.pump()
    assert cart.liveness.live and "image_lost" not in _ids(cart)
    clock.advance(0.3)  # no new frame for 300 ms: NO SIGNAL on the image, a hiccup, no alarm yet
    cart.pump()
    assert not cart.liveness.live and "image_lost" not in _ids(cart)
    clock.advance(1.0)  # gone for the table's 1 s alarm delay
    cart.pump()
    (lost,) = [p for p in cart.session.prompts() if p.id == "image_lost"]
    assert lost.priority.name == "HIGH" and "IMAGE LOST" in lost.text
    assert board.lights[-1] == "alarm_high"
    cart.probe.latest.put(_frame(2), clock.monotonic())
    cart.pump()
    assert cart.liveness.live and "image_lost" not in _ids(cart)
    types = [e.type for e in _journal(cart)]
    assert types.index("image_lost") < types.index("image_restored")


def test_image_loss_outside_needle_work_raises_no_alarm(open_cart: Any) -> None:
    cart, _board, clock, _events = open_cart
    cart.probe.latest.put(_frame(1), clock.monotonic())
    cart.pump()
    clock.advance(2.0)
    cart.pump()
    assert not cart.liveness.live and "image_lost" not in _ids(cart)


def test_an_acknowledged_last_alarm_keeps_the_light_high_and_goes_when_last_ends(open_cart: Any) -> None:
    from sonocart.procedures.inputs import EndLast, StartLast

    cart, board, clock, _events = open_cart
    cart.session.submit(lambda op: StartLast(op), "LAST")
    clock.advance(1.0)
    assert cart.acknowledge("last_emergency")
    assert "last_emergency" in _ids(cart)
    assert board.lights[-1] == "alarm_high"
    assert cart.session.submit(lambda op: EndLast("false alarm: vasovagal episode", op), "end")
    assert "last_emergency" not in _ids(cart)
    assert board.lights[-1] != "alarm_high"


def test_every_condition_a_prompt_holds_while_has_words_for_its_end() -> None:
    held_while = {r.holds_while for r in load_catalogue().alarms.values() if r.holds_while}
    assert held_while and held_while <= set(CONDITION_WORDS), held_while - set(CONDITION_WORDS)
    assert not [w for w in CONDITION_WORDS.values() if MACHINE_TEXT.search(w)]
