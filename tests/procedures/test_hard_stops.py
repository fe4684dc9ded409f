"""Hard stops cannot be passed without a documented override (who, why); a corrected answer clears them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from procedure_drivers import advance_to, at_step, play_until

from sonocart.clock import ManualClock
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Acknowledge, Answer, Confirm, Override
from sonocart.procedures.prompts import Priority
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def _step_id(rec: ProcedureRecord) -> str:
    step = rec.engine.current_step()
    assert step is not None
    return step.id


def test_anticoagulant_not_held_before_intermediate_risk_procedure_stops_until_override(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("caudal_epidural")
    advance_to(rec, clock, "antithrombotics")
    rec.engine.submit(Answer("antithrombotics", [{"drug": "apixaban", "held": False}], "dr_ana"))
    assert _step_id(rec) == "antithrombotics"
    top = rec.engine.highest_prompt()
    # MEDIUM: a prompt response before the needle, not an immediate danger (catalogue/alarms.toml).
    assert top is not None and top.priority is Priority.MEDIUM and "Apixaban" in top.text
    with pytest.raises(InputRejected, match="documented override"):
        rec.engine.submit(Acknowledge(top.id, "dr_ana"))
    with pytest.raises(InputRejected, match="needs a reason"):
        rec.engine.submit(Override("anticoagulant_not_held", "", "dr_ana"))
    rec.engine.submit(Override("anticoagulant_not_held", "Haematology agreed: bridging impossible", "dr_ana"))
    assert _step_id(rec) == "anticoagulant_last_dose_h"
    ov = next(e for e in rec.journal.events() if e.type == "override")
    assert ov.operator == "dr_ana" and "Haematology" in ov.payload["reason"]


def test_aspirin_continued_for_a_low_risk_block_is_no_hard_stop(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("femoral_nerve_block")
    play_until(rec, clock, at_step("diabetes_glucose"))  # the script continues aspirin
    assert not rec.engine.state.hard_stops


def test_side_stated_at_time_out_against_consent_is_a_hard_stop(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("timeout_side"))
    rec.engine.submit(Answer("timeout_side", "right", "dr_ana"))
    assert "side_not_confirmed" in rec.engine.state.hard_stops
    assert _step_id(rec) == "timeout_side"
    rec.engine.submit(
        Answer("timeout_side", "left", "dr_ana")
    )  # corrected: the stop clears, nothing overridden
    assert not rec.engine.state.hard_stops and not rec.engine.state.overrides
    assert _step_id(rec) == "timeout_items"


def test_wrong_side_at_the_two_person_stop_blocks_the_needle(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("stop_before_block"))
    rec.engine.submit(Confirm("stop_before_block", "dr_ana", side="left"))
    with pytest.raises(InputRejected, match="needs a second person"):
        rec.engine.submit(Confirm("stop_before_block", "dr_ana", side="left"))
    rec.engine.submit(Confirm("stop_before_block", "odp_cy", side="right"))
    assert "side_not_confirmed" in rec.engine.state.hard_stops
    assert _step_id(rec) == "stop_before_block"
    assert not rec.engine.state.stop_ok()


def test_iodine_allergy_with_particulate_steroid_drawn_stops_and_suggests_dexamethasone(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("sacroiliac_joint_injection")  # the caudal epidural offers no particulate steroid
    advance_to(rec, clock, "medications", allergies=["iodinated_contrast"])
    assert _step_id(rec) == "medications"
    steroid = [
        {"id": "A", "labelled": True, "contents": [{"drug": "triamcinolone_acetonide", "mg_per_ml": 40}]}
    ]
    rec.engine.submit(Answer("medications", steroid, "dr_ana"))
    stop = rec.engine.state.hard_stops["allergy_conflict"]
    assert "dexamethasone" in stop["message"]
    dex = [{"id": "A", "labelled": True, "contents": [{"drug": "dexamethasone", "mg_per_ml": 4}]}]
    rec.engine.submit(Answer("medications", dex, "dr_ana"))
    assert not rec.engine.state.hard_stops
    assert _step_id(rec) == "needle"


def test_invalid_consent_stops_the_procedure(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("consent_valid"))
    rec.engine.submit(Answer("consent_valid", False, "rn_ben"))
    assert "consent_not_valid" in rec.engine.state.hard_stops
    with pytest.raises(InputRejected, match="is not the step on now"):
        rec.engine.submit(Answer("consent_side", "left", "rn_ben"))


def test_unlabelled_syringe_is_refused_at_time_out(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    play_until(rec, clock, at_step("medications"))
    meds = [{"id": "A", "labelled": False, "contents": [{"drug": "lidocaine", "percent": 1}]}]
    with pytest.raises(InputRejected, match="must be labelled"):
        rec.engine.submit(Answer("medications", meds, "dr_ana"))


def test_leaving_observation_early_needs_an_override(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    play_until(rec, clock, lambda s: getattr(s, "seconds", 0) == 1800)
    assert _step_id(rec) == "observe"
    rec.engine.submit(Confirm("observe", "rn_ben"))
    assert "observe_incomplete" in rec.engine.state.hard_stops
    rec.engine.submit(Override("observe_incomplete", "Patient self-discharged against advice", "rn_ben"))
    assert _step_id(rec) == "hr_after"  # vitals after the observation, then the pain score


def test_observation_confirmed_too_early_clears_itself_when_the_time_is_up(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    play_until(rec, clock, lambda s: getattr(s, "seconds", 0) == 1800)
    assert _step_id(rec) == "observe"
    rec.engine.submit(Confirm("observe", "rn_ben"))
    assert "observe_incomplete" in rec.engine.state.hard_stops
    remaining = rec.engine.timer_remaining("observation")
    assert remaining is not None and remaining > 0
    clock.advance(remaining + 1)
    events = rec.engine.tick()
    types = [e.type for e in events]
    assert "timer_expired" in types and "hard_stop_cleared" in types
    assert types.index("timer_expired") < types.index("hard_stop_cleared")
    assert "observe_incomplete" not in rec.engine.state.hard_stops
    assert "observe_incomplete" not in rec.engine.state.overrides  # no override was needed
    assert _step_id(rec) == "hr_after"  # vitals after the observation, then the pain score
