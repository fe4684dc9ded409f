"""Discharge instructions follow the seeds: rest after spinal injections, no driving after sedation."""

from __future__ import annotations

from collections.abc import Callable

from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]
DEX = [{"id": "A", "labelled": True, "contents": [{"drug": "dexamethasone", "mg_per_ml": 4}]}]


def test_spinal_injection_with_sedation_and_steroid_gets_rest_no_driving_and_glucose_advice(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("caudal_epidural")
    advance_to(rec, clock, "discharge", sedation_driver="sedation_with_escort", medications=DEX)
    text = " ".join(rec.engine.discharge_instructions())
    assert "Relative rest for 24 hours" in text
    assert "No driving" in text
    assert "glucose" in text


def test_knee_injection_without_sedation_gets_neither_rest_nor_driving_advice(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("knee_joint_injection")
    advance_to(rec, clock, "discharge")
    text = " ".join(rec.engine.discharge_instructions())
    assert "Relative rest" not in text and "No driving" not in text
    assert "Resume physiotherapy" in text
