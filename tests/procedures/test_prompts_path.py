"""Prompts go out through one path: the top prompt the UI and status light share; acks are events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.journal.store import Event
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.engine import Engine
from sonocart.procedures.inputs import Acknowledge, Answer, Aspirate, LogAliquot
from sonocart.procedures.prompts import Priority, Prompt, ordered
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def test_highest_priority_wins_and_the_oldest_first_within_a_priority() -> None:
    low = Prompt("a", Priority.LOW, "", 0, 1)
    med1 = Prompt("b", Priority.MEDIUM, "", 0, 2)
    med2 = Prompt("c", Priority.MEDIUM, "", 0, 3)
    high = Prompt("d", Priority.HIGH, "", 0, 4)
    assert [p.id for p in ordered([low, med2, high, med1])] == ["d", "b", "c", "a"]


def test_listener_sees_every_commit_and_the_status_light_follows_the_top_prompt(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    advance_to(rec, clock, "inject")
    seen: list[tuple[list[str], Priority | None]] = []

    def light(engine: Engine, events: list[Event]) -> None:
        top = engine.highest_prompt()
        seen.append(([e.type for e in events], top.priority if top else None))

    rec.engine.add_listener(light)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(5)
    rec.engine.submit(LogAliquot(8, "dr_ana"))  # above the 3-5 mL aliquot: medium
    rec.engine.submit(Aspirate("positive", "dr_ana"))  # high
    assert seen[0] == (["aspirated"], None)
    assert seen[1][1] is Priority.MEDIUM
    assert seen[2][1] is Priority.HIGH


def test_acknowledging_is_a_journaled_event_with_the_operator(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    advance_to(rec, clock, "diabetes_glucose")
    rec.engine.submit(Answer("diabetes_glucose", 19.0, "rn_ben"))
    prompt = rec.engine.state.prompts["warn:diabetes_glucose"]
    assert prompt.priority is Priority.LOW  # information: no steroid may be planned (alarms.toml)
    rec.engine.submit(Acknowledge(prompt.id, "dr_ana"))
    ack = list(rec.journal.events())[-1]
    assert (ack.type, ack.operator, ack.payload["id"]) == ("prompt_acknowledged", "dr_ana", prompt.id)
    assert rec.engine.highest_prompt() is None
    with pytest.raises(InputRejected, match="that prompt is no longer active"):
        rec.engine.submit(Acknowledge(prompt.id, "dr_ana"))


def test_pedal_acknowledge_takes_the_top_prompt_once_and_never_a_hard_stop(
    new_record: NewRecord, clock: ManualClock
) -> None:
    from sonocart.procedures.inputs import AcknowledgeTop

    rec = new_record()
    advance_to(rec, clock, "diabetes_glucose")
    rec.engine.submit(Answer("diabetes_glucose", 19.0, "rn_ben"))
    rec.engine.submit(Answer("no_infection_at_site", False, "rn_ben"))  # hard stop, HIGH, blocking
    assert rec.engine.highest_prompt().blocking  # type: ignore[union-attr]
    rec.engine.submit(AcknowledgeTop("dr_ana", press_id="7"))
    assert "warn:diabetes_glucose" not in rec.engine.state.prompts
    assert rec.engine.submit(AcknowledgeTop("dr_ana", press_id="7")) == []  # redelivered press: no second act
    with pytest.raises(InputRejected, match="no prompt"):
        rec.engine.submit(AcknowledgeTop("dr_ana", press_id="8"))
    assert "hard_stop:infection_at_site" in rec.engine.state.prompts


def test_a_failing_listener_does_not_hide_a_committed_event(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()

    def broken(engine: Engine, events: list[Event]) -> None:
        raise RuntimeError("screen gone")

    rec.engine.add_listener(broken)
    events = rec.engine.submit(Answer("team", ["dr_ana", "rn_ben"], "dr_ana"))
    assert events[0].type == "answered"
    assert rec.engine.current_step().id == "patient_identifiers"  # type: ignore[union-attr]
