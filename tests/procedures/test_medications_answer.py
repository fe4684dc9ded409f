"""The medications answer: stocked strengths of drugs the procedure uses, typed exactly; others refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Answer
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]


def _syringe(*contents: dict[str, Any], **extra: Any) -> list[dict[str, Any]]:
    return [{"id": "A", "labelled": True, "contents": list(contents), **extra}]


def _at_medications(new_record: NewRecord, clock: ManualClock, procedure: str) -> ProcedureRecord:
    rec = new_record(procedure)
    advance_to(rec, clock, "medications")
    return rec


@pytest.mark.parametrize(
    ("part", "extra", "why"),
    [
        ({"drug": "lidocaine", "percent": 3.0}, {}, "3 % is not stocked"),
        ({"drug": "lidocaine", "percent": 0.75}, {}, "0.75 % is not stocked"),
        # Ropivacaine has no presentation premixed with epinephrine.
        ({"drug": "ropivacaine", "percent": 0.5, "epinephrine": True}, {}, "with epinephrine is not stocked"),
        ({"drug": "lidocaine", "percent": 1.0, "epinephrine": "no"}, {}, "epinephrine must be true or false"),
        ({"drug": "lidocaine", "percent": 1.0, "epinephrine": 1}, {}, "epinephrine must be true or false"),
        ({"drug": "lidocaine", "percent": float("nan")}, {}, "not a finite number"),
        ({"drug": "lidocaine", "percent": True}, {}, "not a finite number"),
        ({"drug": "lidocaine"}, {}, "needs its strength"),
        ({"drug": "lidocaine", "percent": 1.0, "mg_per_ml": 10.0}, {}, "needs its strength"),
        ({"drug": "dexamethasone", "mg_per_ml": 8.0}, {}, "8 mg/mL is not stocked"),
        ({"drug": "dexamethasone", "mg_per_ml": 4.0, "epinephrine": False}, {}, "no epinephrine"),
        ({"drug": "prilocaine", "percent": 1.0}, {}, "unknown drug 'prilocaine'"),
        ({"drug": "lidocaine", "percent": 1.0, "dilution": 2}, {}, "unknown field"),
        ({"drug": "lidocaine", "percent": 1.0}, {"volume_ml": float("inf")}, "not a finite number"),
        ({"drug": "lidocaine", "percent": 1.0}, {"volume_ml": 0}, "outside 0-50 mL"),
        ({"drug": "lidocaine", "percent": 1.0}, {"volume_ml": 80}, "outside 0-50 mL"),
        ({"drug": "lidocaine", "percent": 1.0}, {"labelled": "yes"}, "labelled must be true or false"),
    ],
)
def test_a_strength_or_field_outside_the_stock_is_refused_with_the_reason(
    new_record: NewRecord, clock: ManualClock, part: dict[str, Any], extra: dict[str, Any], why: str
) -> None:
    rec = _at_medications(new_record, clock, "femoral_nerve_block")
    seq = rec.engine.state.last_seq
    with pytest.raises(InputRejected, match=why):
        rec.engine.submit(Answer("medications", _syringe(part, **extra), "dr_ana"))
    assert "medications" not in rec.engine.state.answers
    assert rec.engine.state.last_seq == seq + 1  # only the rejection was journaled


def test_contrast_is_offered_for_a_caudal_epidural_and_refused_for_a_knee_injection(
    new_record: NewRecord, clock: ManualClock
) -> None:
    contrast = {"drug": "iohexol", "mg_per_ml": 240.0}
    knee = _at_medications(new_record, clock, "knee_joint_injection")
    with pytest.raises(InputRejected, match="is not used in Knee joint injection"):
        knee.engine.submit(Answer("medications", _syringe(contrast), "dr_ana"))
    caudal = _at_medications(new_record, clock, "caudal_epidural")
    caudal.engine.submit(Answer("medications", _syringe(contrast), "dr_ana"))
    assert caudal.engine.state.answers["medications"][0]["contents"] == [contrast]


def test_a_stocked_syringe_is_journaled_with_its_volume_and_an_exact_epinephrine_flag(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = _at_medications(new_record, clock, "femoral_nerve_block")
    meds = _syringe(
        {"drug": "lidocaine", "mg_per_ml": 15, "epinephrine": True},  # 1.5 % given as mg/mL
        {"drug": "dexamethasone", "mg_per_ml": 4},
        volume_ml=20,
    )
    rec.engine.submit(Answer("medications", meds, "dr_ana"))
    answer = rec.engine.state.answers["medications"]
    assert answer == [
        {
            "id": "A",
            "labelled": True,
            "volume_ml": 20.0,
            "contents": [
                {"drug": "lidocaine", "mg_per_ml": 15.0, "epinephrine": True},
                {"drug": "dexamethasone", "mg_per_ml": 4.0},
            ],
        }
    ]
    journaled = [e.payload for e in rec.journal.events() if e.type == "answered"]
    assert journaled[-1] == {"step": "medications", "value": answer}
