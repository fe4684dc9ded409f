"""Injection: STOP before each needle, aspiration before each aliquot, pauses, dose, pedal once.

An aliquot already given is always recorded (lapses are flagged, never refused); the dose guard warns
before an aliquot would cross 80 % or 100 % of the maximum; no rate is inferred from button timing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import (
    Acknowledge,
    Aspirate,
    Confirm,
    FinishInjection,
    LogAliquot,
    NewNeedle,
    Override,
    TestDose,
)
from sonocart.procedures.prompts import Priority
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]
BUPI_05 = [{"id": "A", "labelled": True, "contents": [{"drug": "bupivacaine", "percent": 0.5}]}]
LIDO_EPI = [
    {"id": "A", "labelled": True, "contents": [{"drug": "lidocaine", "percent": 1.5, "epinephrine": True}]}
]


def at_injection(new_record: NewRecord, clock: ManualClock, **answers: object) -> ProcedureRecord:
    rec = new_record()
    advance_to(rec, clock, "inject", **answers)
    return rec


def test_an_aliquot_given_without_a_negative_aspiration_is_recorded_and_flagged(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = at_injection(new_record, clock)
    rec.engine.submit(LogAliquot(3, "dr_ana"))  # given before aspirating: the total must count it
    (al,) = rec.engine.state.aliquots
    assert al.volume_ml == 3 and al.flags == ("no negative aspiration before it",)
    (flagged,) = [p for p in rec.engine.active_prompts() if p.id.startswith("no_aspiration")]
    assert flagged.priority is Priority.MEDIUM
    # each lapse named, the volume kept, read at a glance (the record's flag keeps its own words)
    assert flagged.text == ("3 mL given with no negative aspiration: aspirate and wait before the next.")
    rec.engine.submit(Aspirate("positive", "dr_ana"))
    top = rec.engine.highest_prompt()
    assert top is not None and top.priority is Priority.HIGH and "Positive aspiration" in top.text
    assert rec.engine.state.mg_by_drug["lidocaine"] == pytest.approx(30.0)  # 3 mL of 1 % = 10 mg/mL


def test_next_aliquot_waits_for_the_configured_pause(new_record: NewRecord, clock: ManualClock) -> None:
    rec = at_injection(new_record, clock)
    pause = rec.engine.state.procedure.injection.pause_s
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(20)
    rec.engine.submit(LogAliquot(3, "dr_ana"))
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(pause - 1)
    rec.engine.submit(LogAliquot(3, "dr_ana"))  # inside the pause: recorded, flagged
    assert rec.engine.state.aliquots[-1].flags == ("inside the pause between aliquots",)
    (paused,) = [p for p in rec.engine.active_prompts() if p.id.startswith("no_aspiration")]
    assert paused.text == "3 mL given inside the pause: aspirate and wait before the next."
    clock.advance(pause)
    rec.engine.tick()
    assert "timer:aliquot_pause" in rec.engine.state.prompts
    rec.engine.submit(Aspirate("negative", "dr_ana"))  # aspirating is the person's acknowledgement
    assert "timer:aliquot_pause" not in rec.engine.state.prompts
    rec.engine.submit(LogAliquot(3, "dr_ana"))
    assert len(rec.engine.state.aliquots) == 3 and rec.engine.state.aliquots[-1].flags == ()


def test_no_injection_rate_is_inferred_from_the_time_between_two_buttons(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = at_injection(new_record, clock)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(12)  # 5 mL logged 12 s after aspirating: the old inference said "25 mL/min"
    rec.engine.submit(LogAliquot(5, "dr_ana"))
    assert rec.engine.state.aliquots[-1].rate_ml_per_min is None
    assert not [p for p in rec.engine.active_prompts() if "mL/min" in p.text]


def test_the_dose_guard_warns_before_an_aliquot_would_cross_80_and_100_percent(
    new_record: NewRecord, clock: ManualClock
) -> None:
    # 70 kg, bupivacaine 0.5 % = 5 mg/mL, limit min(2 mg/kg * 70, 175) = 140 mg = 28 mL.
    rec = at_injection(new_record, clock, medications=BUPI_05)
    for _ in range(4):  # 20 mL = 100 mg = 71 %
        rec.engine.submit(Aspirate("negative", "dr_ana", planned_ml=5))
        clock.advance(30)
        rec.engine.submit(LogAliquot(5, "dr_ana"))
    assert "dose_will_approach" not in rec.engine.state.prompts
    rec.engine.submit(Aspirate("negative", "dr_ana", planned_ml=5))  # 125 mg = 89 %: crosses 80 %
    warn = rec.engine.state.prompts["dose_will_approach"]
    assert warn.priority is Priority.MEDIUM and "89%" in warn.text and "8.0 mL left" in warn.text
    clock.advance(30)
    rec.engine.submit(LogAliquot(5, "dr_ana"))
    assert "dose_will_approach" not in rec.engine.state.prompts  # given: the warning was had
    rec.engine.submit(Aspirate("negative", "dr_ana", planned_ml=5))  # 150 mg = 107 %: crosses 100 %
    stop = rec.engine.state.prompts["dose_will_exceed"]
    assert stop.priority is Priority.HIGH and "107%" in stop.text and "3.0 mL left" in stop.text
    assert "dose_above_limit" not in rec.engine.state.hard_stops  # a 3 mL aliquot still fits


def test_aliquot_above_5_ml_raises_a_prompt(new_record: NewRecord, clock: ManualClock) -> None:
    rec = at_injection(new_record, clock)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(60)
    rec.engine.submit(LogAliquot(8, "dr_ana"))
    assert any(p.id.startswith("large_aliquot") for p in rec.engine.active_prompts())


def test_dose_limit_is_a_hard_stop_before_it_would_be_exceeded(
    new_record: NewRecord, clock: ManualClock
) -> None:
    # 70 kg, bupivacaine 0.5 % = 5 mg/mL, limit min(2 mg/kg * 70, 175) = 140 mg = 28 mL.
    rec = at_injection(new_record, clock, medications=BUPI_05)
    for _ in range(5):
        rec.engine.submit(Aspirate("negative", "dr_ana"))
        clock.advance(30)
        rec.engine.submit(LogAliquot(5, "dr_ana"))
    assert rec.engine.state.mg_by_drug["bupivacaine"] == pytest.approx(125.0)
    assert "dose_approaching_limit" in rec.engine.state.prompts
    rec.engine.submit(
        Aspirate("negative", "dr_ana")
    )  # another 3 mL would make 140+ mg? 125 + 15 = 140: at limit
    assert "dose_above_limit" not in rec.engine.state.hard_stops
    clock.advance(30)
    rec.engine.submit(LogAliquot(3, "dr_ana"))
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    assert "dose_above_limit" in rec.engine.state.hard_stops
    clock.advance(30)
    rec.engine.submit(LogAliquot(1, "dr_ana"))  # given past the stop anyway: recorded, flagged
    assert rec.engine.state.aliquots[-1].over_limit
    assert rec.engine.state.aliquots[-1].flags == ("past the dose hard stop",)
    assert rec.engine.state.mg_by_drug["bupivacaine"] == pytest.approx(145.0)
    rec.engine.submit(FinishInjection("dr_ana"))  # stopping needs no override
    assert rec.engine.current_step().id == "procedure_recorded"  # type: ignore[union-attr]


def test_dose_exceeded_is_recorded_as_given_and_never_silently(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = at_injection(new_record, clock, medications=BUPI_05)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(200)
    rec.engine.submit(LogAliquot(30, "dr_ana"))  # 150 mg > 140 mg
    al = rec.engine.state.aliquots[-1]
    assert al.over_limit and al.volume_ml == 30
    assert "dose_above_limit" in rec.engine.state.hard_stops
    assert rec.engine.state.prompts["dose_exceeded"].priority is Priority.HIGH
    reason = "Consultant decision, documented in notes"
    with pytest.raises(InputRejected, match="second operator"):  # an overdose is never overridden alone
        rec.engine.submit(Override("dose_above_limit", reason, "dr_ana"))
    rec.engine.submit(Override("dose_above_limit", reason, "dr_ana", second_operator="rn_ben"))
    ov = rec.engine.state.overrides["dose_above_limit"]
    assert (ov["operator"], ov["second_operator"]) == ("dr_ana", "rn_ben")


def test_epinephrine_raises_the_lidocaine_limit(new_record: NewRecord, clock: ManualClock) -> None:
    # 70 kg: plain 4.5 mg/kg = 315 -> 300 mg; with epinephrine 7 mg/kg = 490 mg. 15 mg/mL * 22 mL = 330 mg.
    rec = at_injection(new_record, clock, medications=LIDO_EPI)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(200)
    rec.engine.submit(LogAliquot(22, "dr_ana"))
    assert not rec.engine.state.aliquots[-1].over_limit
    assert rec.engine.state.dose_fraction == pytest.approx(330 / 490, abs=1e-3)


def test_a_pedal_press_delivered_twice_is_acted_on_once(new_record: NewRecord, clock: ManualClock) -> None:
    rec = at_injection(new_record, clock)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(20)
    first = rec.engine.submit(LogAliquot(3, "dr_ana", via="pedal", press_id="p-17"))
    again = rec.engine.submit(LogAliquot(3, "dr_ana", via="pedal", press_id="p-17"))
    assert first and again == []
    assert len(rec.engine.state.aliquots) == 1
    assert rec.engine.state.aliquots[0].via == "pedal"


def test_each_new_needle_insertion_needs_a_fresh_two_person_stop(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = at_injection(new_record, clock)
    rec.engine.submit(NewNeedle("dr_ana"))
    with pytest.raises(InputRejected, match="STOP"):
        rec.engine.submit(Aspirate("negative", "dr_ana"))
    rec.engine.submit(Confirm("stop_before_block", "dr_ana", side="left"))
    rec.engine.submit(Confirm("stop_before_block", "rn_ben", side="left"))
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    assert rec.engine.state.needle_count == 2


def test_test_dose_watch_blocks_injection_then_asks_for_heart_rate_check(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = at_injection(new_record, clock, medications=LIDO_EPI)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(10)
    rec.engine.submit(TestDose(3, "dr_ana"))
    assert rec.engine.timer_remaining("test_dose_watch") == pytest.approx(45)
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    rec.engine.submit(LogAliquot(3, "dr_ana"))  # during the watch: recorded, flagged
    assert "during the test-dose watch" in rec.engine.state.aliquots[-1].flags
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    clock.advance(45)
    rec.engine.tick()
    prompt = rec.engine.state.prompts["timer:test_dose_watch"]
    assert prompt.priority is Priority.MEDIUM and "heart-rate" in prompt.text
    rec.engine.submit(Acknowledge(prompt.id, "rn_ben"))
    rec.engine.submit(LogAliquot(3, "dr_ana"))
    assert rec.engine.state.test_doses == 1 and len(rec.engine.state.aliquots) == 3
