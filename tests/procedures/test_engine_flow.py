"""The engine walks a whole procedure from the inputs touch, pedal and scripts use; the journal is truth."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from procedure_drivers import at_step, example_steps, play, play_until

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.engine import Engine
from sonocart.procedures.inputs import Answer, Confirm
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def test_example_script_completes_the_procedure_and_books_follow_up(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    play(rec, clock, example_steps())
    st = rec.engine.state
    assert st.completed
    assert st.mg_by_drug == {"ropivacaine": pytest.approx(60.0)}  # 3 x 4 mL of 0.5 % (5 mg/mL)
    assert len(st.follow_up) == 3
    assert any("rest" not in i for i in st.discharge_given)
    assert rec.journal.verify() == st.last_seq


def test_answer_for_a_step_that_is_not_current_is_rejected_and_the_rejection_journaled(
    new_record: NewRecord,
) -> None:
    rec = new_record()
    with pytest.raises(InputRejected, match="is not the step on now"):
        rec.engine.submit(Answer("weight_kg", 70, "dr_ana"))
    last = list(rec.journal.events())[-1]
    assert last.type == "input_rejected" and last.operator == "dr_ana"
    assert rec.engine.current_step() is not None and rec.engine.current_step().id == "team"  # type: ignore[union-attr]


def test_out_of_range_number_is_rejected_with_the_range(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("weight_kg"))
    with pytest.raises(InputRejected, match="outside 20"):
        rec.engine.submit(Answer("weight_kg", 7000, "dr_ana"))


def test_every_event_carries_the_operator_who_gave_the_input(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("consent_valid"))
    ops = {(e.type, e.operator) for e in rec.journal.events()}
    assert ("confirmed", "rn_ben") in ops
    assert ("answered", "dr_ana") in ops


def test_time_out_needs_every_registered_team_member(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("timeout_team"))
    rec.engine.submit(Confirm("timeout_team", "dr_ana"))
    rec.engine.submit(Confirm("timeout_team", "rn_ben"))
    assert rec.engine.current_step().id == "timeout_team"  # type: ignore[union-attr]
    with pytest.raises(InputRejected, match="not on the registered team"):
        rec.engine.submit(Confirm("timeout_team", "visitor"))
    rec.engine.submit(Confirm("timeout_team", "odp_cy"))
    assert rec.engine.current_step().id == "prep_done"  # type: ignore[union-attr]


def test_resume_replays_the_journal_into_the_same_state(
    new_record: NewRecord, clock: ManualClock, catalogue: Catalogue
) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("procedure_recorded"))
    again = Engine.resume(catalogue, rec.journal, clock)
    assert again.state.current_phase_id() == rec.engine.state.current_phase_id() == "sign_out"
    assert again.current_step() == rec.engine.current_step()
    assert again.state.mg_by_drug == rec.engine.state.mg_by_drug
    assert again.active_prompts() == rec.engine.active_prompts()


def test_confirmed_side_stays_in_the_banner_through_injection(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    play_until(rec, clock, lambda s: type(s).__name__ == "Aspirate")
    assert rec.engine.banner() == {
        "procedure": "Ultrasound-guided femoral nerve block",
        "side": "LEFT",
        "side_change": "",
        "phase": "injection",
    }


def test_an_input_without_operator_id_is_refused(new_record: NewRecord) -> None:
    rec = new_record()
    before = rec.engine.state.last_seq
    with pytest.raises(InputRejected, match="operator"):
        rec.engine.submit(Answer("team", ["a", "b"], " "))
    assert rec.engine.state.last_seq == before
