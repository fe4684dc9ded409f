"""The catalogue is data with a cited source for every rule and number; sites may only lower limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sonocart.procedures.catalogue import Catalogue, CatalogueError, default_catalogue_dir, load_catalogue

REQUIRED = {
    "femoral_nerve_block",
    "greater_occipital_nerve_block",
    "knee_joint_injection",
    "sacroiliac_joint_injection",
    "trigger_point_injection",
    "caudal_epidural",
    "stellate_ganglion_block",
    "intercostal_nerve_block",
}


def test_catalogue_holds_every_required_procedure_with_all_phases(catalogue: Catalogue) -> None:
    assert set(catalogue.procedures) >= REQUIRED
    for proc in catalogue.procedures.values():
        assert [p.id for p in proc.phases] == [
            "sign_in",
            "time_out",
            "prep_stop_block",
            "injection",
            "sign_out",
            "observation",
        ]


def test_every_rule_cites_a_source_that_exists(catalogue: Catalogue) -> None:
    assert len(catalogue.cited) > 60
    for where, ids in catalogue.cited.items():
        assert ids, where
        assert all(i in catalogue.sources for i in ids), where


def test_a_rule_citing_an_unknown_source_is_refused(tmp_path: Path) -> None:
    work = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), work)
    path = work / "knee_joint_injection.toml"
    path.write_text(path.read_text().replace('source = ["observation_local"]', 'source = ["made_up"]'))
    with pytest.raises(CatalogueError, match="unknown source"):
        load_catalogue(work)


def test_a_rule_without_source_is_refused(tmp_path: Path) -> None:
    work = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), work)
    path = work / "trigger_point_injection.toml"
    path.write_text(path.read_text().replace('source = ["observation_local"]\n', ""))
    with pytest.raises(CatalogueError, match="no source cited"):
        load_catalogue(work)


def test_observation_default_is_30_min_and_says_no_society_standard_exists(catalogue: Catalogue) -> None:
    for proc in catalogue.procedures.values():
        assert proc.observation_minutes == 30
    assert "No society standard" in catalogue.sources["observation_local"]


def test_every_local_anaesthetic_procedure_requires_the_lipid_kit_and_monitored_ones_iv(
    catalogue: Catalogue,
) -> None:
    femoral = [s.id for p in catalogue.procedure("femoral_nerve_block").phases for s in p.steps]
    knee = [s.id for p in catalogue.procedure("knee_joint_injection").phases for s in p.steps]
    assert "lipid_resus_kit" in femoral and "monitoring_iv" in femoral
    # The knee injection offers a local anaesthetic: the lipid check applies (issue 13 item 8).
    assert "lipid_resus_kit" in knee and "monitoring_iv" not in knee


def test_iodine_allergy_rule_calls_for_dexamethasone(catalogue: Catalogue) -> None:
    iodine = catalogue.allergies["iodinated_contrast"]
    assert "particulate_steroid" in iodine.forbids_tags
    assert "dexamethasone" in iodine.advice
    assert "non_particulate_steroid" in catalogue.other_drugs["dexamethasone"].tags


def test_site_file_lowers_a_dose_limit_and_changes_local_defaults(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        "[dose_limits.bupivacaine]\nplain = { max_mg = 150 }\n"
        "[procedures.knee_joint_injection]\nobservation_minutes = 20\npause_s = 30\n"
    )
    cat = load_catalogue(site_file=site)
    assert cat.local_anaesthetics["bupivacaine"].plain.max_mg == 150
    assert cat.procedure("knee_joint_injection").observation_minutes == 20
    assert cat.procedure("knee_joint_injection").injection.pause_s == 30


def test_site_file_cannot_raise_a_dose_limit(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[dose_limits.lidocaine]\nplain = { mg_per_kg = 6.0 }\n")
    with pytest.raises(CatalogueError, match="may lower a maximum dose, not raise it"):
        load_catalogue(site_file=site)


def test_unknown_procedure_names_the_known_ones(catalogue: Catalogue) -> None:
    with pytest.raises(CatalogueError, match="femoral_nerve_block"):
        catalogue.procedure("appendicectomy")


def test_sterile_phases_are_the_prep_stop_block_and_injection_phases(catalogue: Catalogue) -> None:
    assert catalogue.sterile_phases == {"prep_stop_block", "injection"}


def test_a_phase_that_does_not_say_whether_it_is_sterile_is_refused(tmp_path: Path) -> None:
    work = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), work)
    path = work / "phases.toml"
    path.write_text(path.read_text().replace("sterile = true\n", "", 1))
    with pytest.raises(CatalogueError, match="prep_stop_block: say whether the phase is sterile"):
        load_catalogue(work)


def test_stocked_strengths_are_the_label_presentations_with_their_epinephrine_variants(
    catalogue: Catalogue,
) -> None:
    # Xylocaine label: 0.5, 1, 1.5, 2 % plain and with epinephrine 1:200,000; Naropin: none with epinephrine.
    lido = {(s.value, s.epinephrine) for s in catalogue.strengths("lidocaine")}
    assert lido == {(p, e) for p in (0.5, 1.0, 1.5, 2.0) for e in ("", "1:200,000")}
    assert all(not s.epinephrine for s in catalogue.strengths("ropivacaine"))
    assert [s.label for s in catalogue.strengths("dexamethasone")] == ["4 mg/mL", "10 mg/mL"]
    assert catalogue.strengths("chlorhexidine_prep") == ()
    assert "0.5 % with epinephrine 1:200,000" in [s.label for s in catalogue.strengths("bupivacaine")]


def test_every_stocked_drug_cites_a_label_source(catalogue: Catalogue) -> None:
    drugs = {**catalogue.local_anaesthetics, **catalogue.other_drugs}
    for drug, entry in drugs.items():
        if catalogue.strengths(drug):
            assert any(catalogue.sources[s] and s.startswith("label_") for s in entry.source), drug


def test_site_file_may_stock_fewer_strengths_but_not_another(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[stock.lidocaine]\npercent = [1.0]\npercent_with_epinephrine = []\n")
    cat = load_catalogue(site_file=site)
    assert [s.label for s in cat.strengths("lidocaine")] == ["1 %"]
    site.write_text("[stock.ropivacaine]\npercent = [0.375]\n")
    with pytest.raises(CatalogueError, match=r"0.375\] is not a cited strength"):
        load_catalogue(site_file=site)
    site.write_text("[stock.ropivacaine]\npercent_with_epinephrine = [0.5]\n")
    with pytest.raises(CatalogueError, match="may stock fewer strengths, not others"):
        load_catalogue(site_file=site)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[dose_limit.lidocaine]\nplain = { max_mg = 200 }\n", r"unknown table\(s\) \['dose_limit'\]"),
        ("[procedures.knee_joint_injection]\nobservaton_minutes = 20\n", "unknown key"),
        ("[stock.lidocaine]\nmg_per_ml = [10.0]\n", "unknown key"),
        ("[stock.prilocaine]\npercent = [1.0]\n", "unknown drug 'prilocaine'"),
    ],
)
def test_a_misspelt_site_setting_is_refused_not_ignored(tmp_path: Path, text: str, why: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(text)
    with pytest.raises(CatalogueError, match=why):
        load_catalogue(site_file=site)
