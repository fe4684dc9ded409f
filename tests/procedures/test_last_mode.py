"""LAST emergency mode: ASRA steps, the lipid calculator and its timers, available at any moment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Aspirate, EndLast, LastAction, LogAliquot, StartLast
from sonocart.procedures.lipid import lipid_plan
from sonocart.procedures.prompts import Priority
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def test_lipid_over_70_kg_is_100_ml_bolus_then_200_250_ml_over_15_20_min(catalogue: Catalogue) -> None:
    plan = lipid_plan(catalogue.last.lipid, 80)
    assert plan.bolus_ml == 100 and plan.bolus_minutes == (2, 3)
    assert plan.infusion_ml == (200, 250) and plan.infusion_minutes == (15, 20)
    assert plan.upper_limit_ml == 960


def test_lipid_at_or_under_70_kg_is_per_kg(catalogue: Catalogue) -> None:
    plan = lipid_plan(catalogue.last.lipid, 50)
    assert plan.bolus_ml == 75 and plan.infusion_ml_per_min == 12.5 and plan.upper_limit_ml == 600
    assert "12.5 mL/min" in plan.describe()


def test_lipid_calculator_rejects_an_impossible_weight(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="out of range"):
        lipid_plan(catalogue.last.lipid, 0)


def test_last_mode_starts_in_any_phase_and_blocks_more_local_anaesthetic(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    advance_to(rec, clock, "inject")
    rec.engine.submit(Aspirate("negative", "dr_ana"))
    rec.engine.submit(StartLast("rn_ben"))
    top = rec.engine.highest_prompt()
    assert top is not None and top.priority is Priority.HIGH and "105 mL" in top.text  # 70 kg: 1.5 mL/kg
    with pytest.raises(InputRejected, match="LAST"):
        rec.engine.submit(LogAliquot(3, "dr_ana"))


def test_last_actions_are_journaled_and_bolus_starts_its_timers(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record()
    advance_to(rec, clock, "consent_valid")  # before weight is known: the action must give it
    rec.engine.submit(StartLast("dr_ana"))
    with pytest.raises(InputRejected, match="weight"):
        rec.engine.submit(LastAction("lipid_bolus", "dr_ana"))
    rec.engine.submit(LastAction("stop_injecting", "dr_ana"))
    rec.engine.submit(LastAction("lipid_bolus", "rn_ben", {"weight_kg": 90}))
    assert rec.engine.timer_remaining("lipid_bolus") == pytest.approx(180)
    assert rec.engine.timer_remaining("lipid_repeat_bolus_check") == pytest.approx(300)
    clock.advance(300)
    rec.engine.tick()
    assert rec.engine.state.prompts["timer:lipid_repeat_bolus_check"].priority is Priority.HIGH
    actions = [e for e in rec.journal.events() if e.type == "last_action"]
    assert [(a.payload["step"], a.operator) for a in actions] == [
        ("stop_injecting", "dr_ana"),
        ("lipid_bolus", "rn_ben"),
    ]
    assert actions[1].payload["detail"]["bolus_ml"] == 100
    rec.engine.submit(EndLast("Recovered, handed to ICU", "dr_ana"))
    assert not rec.engine.state.last_active and "lipid_infusion" not in rec.engine.state.timers
