"""Checklist content as catalogue data (issue 13, item 8): the lipid check for every local-anaesthetic
procedure, exclusive "none" answers, and answers read back in words."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from procedure_drivers import advance_to

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.inputs import Answer
from sonocart.records.record import ProcedureRecord

CATALOGUE = Path(__file__).resolve().parents[2] / "host/sonocart/procedures/catalogue"
NewRecord = Callable[..., ProcedureRecord]


def _procedure_files() -> list[Path]:
    return sorted(p for p in CATALOGUE.glob("*.toml") if "id" in tomllib.loads(p.read_text()))


@pytest.mark.parametrize("path", _procedure_files(), ids=lambda p: p.stem)
def test_every_procedure_that_offers_a_local_anaesthetic_checks_the_lipid_emulsion(
    catalogue: Catalogue, path: Path
) -> None:
    raw = tomllib.loads(path.read_text())  # read the file itself: the oracle is the catalogue text
    steps = [s.id for ph in catalogue.procedure(raw["id"]).phases for s in ph.steps]
    assert ("lipid_resus_kit" in steps) == ("local_anaesthetic" in raw["medications"]["offered"])


def test_the_caudal_epidural_now_asks_for_the_lipid_kit(catalogue: Catalogue) -> None:
    caudal = catalogue.procedure("caudal_epidural")
    assert "block" not in caudal.flags  # it was skipped because the step read only_if = ["block"]
    assert "lipid_resus_kit" in [s.id for s in caudal.phases[0].steps]


def test_none_and_suspected_last_cannot_both_be_ticked(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    advance_to(rec, clock, "complications")
    with pytest.raises(InputRejected, match='"none" cannot be ticked with another answer'):
        rec.engine.submit(Answer("complications", ["none", "suspected_last"], "dr_ana"))
    assert "complications" not in rec.engine.state.answers
    rec.engine.submit(Answer("complications", ["vasovagal", "suspected_last"], "dr_ana"))
    assert rec.engine.state.answers["complications"] == ["vasovagal", "suspected_last"]


def test_a_yes_no_answer_reads_as_what_it_means(catalogue: Catalogue) -> None:
    steps = {s.id: s for ph in catalogue.procedure("femoral_nerve_block").phases for s in ph.steps}
    # prior_reactions: true is "no prior reaction" (the step is worded as a statement to confirm).
    assert steps["prior_reactions"].yes_no_words(True) == "No prior reaction to a previous injection"
    assert steps["prior_reactions"].yes_no_words(False).startswith("Prior reaction")
    assert steps["complications"].option_name("suspected_last").startswith("suspected LAST (local")


def test_numeric_vitals_needle_approach_and_block_assessment_are_cited_steps(catalogue: Catalogue) -> None:
    femoral = {s.id: s for ph in catalogue.procedure("femoral_nerve_block").phases for s in ph.steps}
    knee = {s.id for ph in catalogue.procedure("knee_joint_injection").phases for s in ph.steps}
    for sid, lo, hi in (("hr_before", 20, 250), ("sbp_after", 40, 300), ("spo2_before", 50, 100)):
        assert (femoral[sid].kind, femoral[sid].min, femoral[sid].max) == ("number", lo, hi)
    for sid in ("fasting", "pregnancy", "anticoagulant_last_dose_h", "needle", "approach", "hr_after"):
        assert femoral[sid].source, sid  # every item cited (or a local default saying so)
    assert "block_assessment" in femoral and "block_assessment" not in knee  # blocks only
    assert "baseline_vitals" not in femoral  # the tick box became three numbers


def test_a_vital_sign_out_of_its_range_is_refused(new_record: NewRecord, clock: ManualClock) -> None:
    rec = new_record()
    advance_to(rec, clock, "hr_before")
    with pytest.raises(InputRejected, match="outside 20"):
        rec.engine.submit(Answer("hr_before", 0, "dr_ana"))
    rec.engine.submit(Answer("hr_before", 72, "dr_ana"))
    assert rec.engine.state.answers["hr_before"] == 72.0


def test_the_caudal_epidural_offers_only_a_non_particulate_steroid(
    catalogue: Catalogue, new_record: NewRecord, clock: ManualClock
) -> None:
    raw = tomllib.loads((CATALOGUE / "caudal_epidural.toml").read_text())
    assert (
        "non_particulate_steroid" in raw["medications"]["offered"]
        and "fda_esi_2014" in raw["medications"]["source"]
    )
    rec = new_record("caudal_epidural")
    advance_to(rec, clock, "medications")
    triamcinolone = [
        {"id": "A", "labelled": True, "contents": [{"drug": "triamcinolone_acetonide", "mg_per_ml": 40.0}]}
    ]
    with pytest.raises(InputRejected):
        rec.engine.submit(Answer("medications", triamcinolone, "dr_ana"))
    dex = [{"id": "A", "labelled": True, "contents": [{"drug": "dexamethasone", "mg_per_ml": 4.0}]}]
    rec.engine.submit(Answer("medications", dex, "dr_ana"))
    assert rec.engine.state.answers["medications"][0]["contents"][0]["drug"] == "dexamethasone"
