"""Hours since the last anticoagulant dose, judged against each held drug's cited hold time for the
procedure's bleeding-risk class (ASRA pain guidelines, Narouze et al. 2018; drugs.toml ``hold_hours``).

Hand-worked from the guideline's figures: the caudal epidural is an intermediate-risk procedure;
apixaban 3 days = 72 h, clopidogrel 7 days = 168 h, prophylactic enoxaparin 12 h, aspirin held only for
high-risk procedures (6 days), the femoral block is low risk (no hold time applies).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import CatalogueError, default_catalogue_dir, load_catalogue
from sonocart.procedures.inputs import Answer, Correct, Override
from sonocart.records.record import ProcedureRecord

NewRecord = Callable[..., ProcedureRecord]
HOURS = "anticoagulant_last_dose_h"
RULE = "anticoagulant_hold_too_short"


def _held(*drugs: str) -> list[dict[str, Any]]:
    return [{"drug": d, "held": True} for d in drugs]


def _at_hours(new_record: NewRecord, clock: ManualClock, procedure: str, drugs: list[Any]) -> Any:
    rec = new_record(procedure)
    advance_to(rec, clock, HOURS, antithrombotics=drugs)
    return rec.engine


def _step(eng: Any) -> str:
    return str(eng.current_step().id)


def test_apixaban_held_24_hours_before_a_caudal_epidural_is_a_hard_stop_in_words(
    new_record: NewRecord, clock: ManualClock
) -> None:
    eng = _at_hours(new_record, clock, "caudal_epidural", _held("apixaban"))
    eng.submit(Answer(HOURS, 24, "dr_ana"))
    assert _step(eng) == HOURS  # held
    text = eng.state.hard_stops[RULE]["message"]
    assert text == (
        "HARD STOP: last anticoagulant or antiplatelet dose 24 hours ago; Apixaban needs 72 hours (3 days)"
        " before an intermediate-bleeding-risk procedure"
    )
    prompt = next(p for p in eng.active_prompts() if p.id == f"hard_stop:{RULE}")
    assert prompt.blocking and prompt.priority.name == "MEDIUM"
    eng.submit(Override(RULE, "Haematology: apixaban level undetectable", "dr_ana"))
    assert _step(eng) == "pregnancy"


@pytest.mark.parametrize(("hours", "stops"), [(71.5, True), (72, False), (100, False)])
def test_the_hold_time_is_a_minimum_met_at_exactly_72_hours(
    new_record: NewRecord, clock: ManualClock, hours: float, stops: bool
) -> None:
    eng = _at_hours(new_record, clock, "caudal_epidural", _held("apixaban"))
    eng.submit(Answer(HOURS, hours, "dr_ana"))
    assert (RULE in eng.state.hard_stops) is stops
    assert _step(eng) == (HOURS if stops else "pregnancy")


def test_each_drug_short_of_its_hold_is_named_and_one_long_enough_is_not(
    new_record: NewRecord, clock: ManualClock
) -> None:
    eng = _at_hours(new_record, clock, "caudal_epidural", _held("clopidogrel", "enoxaparin_prophylactic"))
    eng.submit(Answer(HOURS, 48, "dr_ana"))  # 48 >= 12 h for enoxaparin, < 168 h for clopidogrel
    text = eng.state.hard_stops[RULE]["message"]
    assert "Clopidogrel needs 168 hours (7 days)" in text and "Enoxaparin" not in text
    assert "48 hours (2 days) ago" in text


@pytest.mark.parametrize(
    ("procedure", "drug"),
    [("femoral_nerve_block", "apixaban"), ("caudal_epidural", "aspirin"), ("caudal_epidural", "ginkgo")],
)
def test_no_hold_time_applies_where_the_guideline_gives_none_for_that_class(
    new_record: NewRecord, clock: ManualClock, procedure: str, drug: str
) -> None:
    # Low risk: no anticoagulant hold; aspirin: held only for high risk; supplements: "consider" only.
    eng = _at_hours(new_record, clock, procedure, _held(drug))
    eng.submit(Answer(HOURS, 1, "dr_ana"))
    assert RULE not in eng.state.hard_stops
    assert _step(eng) == "pregnancy"


def test_a_drug_reported_not_held_is_the_not_held_stop_alone(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("caudal_epidural")
    advance_to(rec, clock, "antithrombotics")
    eng = rec.engine
    eng.submit(Answer("antithrombotics", [{"drug": "apixaban", "held": False}], "dr_ana"))
    eng.submit(Override("anticoagulant_not_held", "Cardiology: cannot stop, proceed", "dr_ana"))
    eng.submit(Answer(HOURS, 10, "dr_ana"))
    assert RULE not in eng.state.hard_stops  # one decision, one override
    assert _step(eng) == "pregnancy"


def test_correcting_the_drugs_judges_the_hours_again_and_holds_the_current_step(
    new_record: NewRecord, clock: ManualClock
) -> None:
    rec = new_record("caudal_epidural")
    advance_to(rec, clock, "monitoring_iv", antithrombotics=[], **{HOURS: 30})
    eng = rec.engine
    eng.submit(Correct("antithrombotics", _held("rivaroxaban"), "dr_ana", "patient remembered Xarelto"))
    assert eng.state.hard_stops[RULE]["step"] == HOURS
    assert "Rivaroxaban needs 72 hours (3 days)" in eng.state.hard_stops[RULE]["message"]
    eng.submit(Answer("monitoring_iv", True, "dr_ana"))
    assert _step(eng) == "monitoring_iv"  # held by the stop the correction raised
    eng.submit(Correct(HOURS, 80, "dr_ana", "last dose was Friday morning"))
    assert RULE not in eng.state.hard_stops
    assert _step(eng) != "monitoring_iv"  # released: the answered step completes


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        ("hold_hours = { low = 24, intermediate = 72, high = 72 }", "need not be held in"),
        ("hold_hours = { intermediate = -72, high = 72 }", "outside"),
        ("hold_hours = { intermediate = true, high = 72 }", "not a finite number"),
    ],
)
def test_a_hold_time_the_guideline_does_not_give_is_refused(tmp_path: Path, line: str, refusal: str) -> None:
    work = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), work)
    drugs = work / "drugs.toml"
    old = "hold_hours = { intermediate = 72, high = 72 }"
    assert old in drugs.read_text()
    drugs.write_text(drugs.read_text().replace(old, line, 1))
    with pytest.raises(CatalogueError, match=refusal):
        load_catalogue(work)
