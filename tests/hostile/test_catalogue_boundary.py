"""The catalogue boundary: a raised maximum dose does not load even with its source still cited, the
shipped folder is the reviewed one (checked against its manifest), and a refusal is one line."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sonocart.procedures.catalogue import CatalogueError, default_catalogue_dir, load_catalogue
from sonocart.validation.catalogue import MANIFEST, Refused, check_manifest

LIDOCAINE_PLAIN = "plain = { mg_per_kg = 4.5, max_mg = 300 }"


def copy_catalogue(tmp_path: Path) -> Path:
    work = tmp_path / "cat"
    shutil.copytree(default_catalogue_dir(), work)
    return work


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_the_manifest_is_what_sha256sum_reads_of_the_shipped_folder() -> None:
    # Independent oracle: coreutils' sha256sum checks the manifest against the shipped files.
    done = subprocess.run(
        ["sha256sum", "--check", "--strict", str(MANIFEST)],
        cwd=default_catalogue_dir(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    listed = {line.split("  ")[1] for line in MANIFEST.read_text().splitlines()}
    assert listed == {p.name for p in default_catalogue_dir().glob("*.toml")}
    load_catalogue()  # the shipped catalogue passes its own boundary


def test_lidocaine_raised_to_3000_mg_with_its_source_still_cited_does_not_load(tmp_path: Path) -> None:
    work = copy_catalogue(tmp_path)
    edit(work / "drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = 4.5, max_mg = 3000 }")
    assert 'source = ["label_lidocaine", "rosenberg_2004"]' in (work / "drugs.toml").read_text()
    with pytest.raises(
        CatalogueError, match=r"lidocaine\.plain\.max_mg \(cited maximum\) 3000 is outside 0\.\.300"
    ):
        load_catalogue(work)


def test_the_shipped_folder_edited_by_hand_is_refused_by_its_manifest(tmp_path: Path) -> None:
    work = copy_catalogue(tmp_path)
    check_manifest(work)  # an exact copy is the reviewed catalogue
    # a change the value checks allow (lowered, still cited) is still not the reviewed catalogue
    edit(work / "drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = 4.5, max_mg = 290 }")
    with pytest.raises(Refused, match=re.escape("drugs.toml differs from the reviewed catalogue")):
        check_manifest(work)
    shutil.copy(default_catalogue_dir() / "drugs.toml", work / "drugs.toml")
    (work / "extra_block.toml").write_text((work / "knee_joint_injection.toml").read_text())
    with pytest.raises(
        Refused, match=re.escape("extra_block.toml is not in the shipped catalogue's manifest")
    ):
        check_manifest(work)
    (work / "extra_block.toml").unlink()
    (work / "last.toml").unlink()
    with pytest.raises(Refused, match=re.escape("last.toml of the shipped catalogue is missing")):
        check_manifest(work)


@pytest.mark.parametrize(
    ("file", "old", "new", "why"),
    [
        ("drugs.toml", LIDOCAINE_PLAIN, 'plain = { mg_per_kg = 4.5, max_mg = "300" }', "not a finite number"),
        ("drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = nan, max_mg = 300 }", "not a finite number"),
        ("drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = 4.5, max_mg = true }", "not a finite number"),
        ("drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = 4.5, max_mg = 0 }", "must be above 0"),
        ("drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = 4.5 }", "max_mg is missing"),
        (
            "drugs.toml",
            "[local_anaesthetics.lidocaine]",
            "[local_anaesthetics.prilocaine]",
            "no cited maximum",
        ),
        ("knee_joint_injection.toml", "pause_s = 20", "pause_s = -20", "outside 0..120"),
        ("knee_joint_injection.toml", "aliquot_ml = [3, 5]", "aliquot_ml = [3, inf]", "not a finite number"),
        ("femoral_nerve_block.toml", "minutes = 30", "minutes = 0", "observation.minutes must be above 0"),
        ("last.toml", "upper_limit_ml_per_kg = 12", "upper_limit_ml_per_kg = 120", "outside 0..12"),
        ("last.toml", "heavy_bolus_ml = 100", "heavy_bolus_ml = '100'", "not a finite number"),
    ],
)
def test_a_catalogue_value_that_is_no_cited_number_is_refused_in_one_line(
    tmp_path: Path, file: str, old: str, new: str, why: str
) -> None:
    work = copy_catalogue(tmp_path)
    edit(work / file, old, new)
    with pytest.raises(CatalogueError, match=why) as info:
        load_catalogue(work)
    assert "\n" not in str(info.value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.booleans(),
        st.text(max_size=8),
    )
)
def test_any_max_mg_loads_only_when_a_number_within_the_cited_ceiling(tmp_path: Path, value: object) -> None:
    work = tmp_path / "cat"
    if not work.exists():
        shutil.copytree(default_catalogue_dir(), work)
    literal = repr(value) if isinstance(value, int | float | str) else str(value)
    if isinstance(value, bool):
        literal = str(value).lower()
    elif isinstance(value, float) and not math.isfinite(value):
        literal = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    elif isinstance(value, str):
        literal = '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    text = (default_catalogue_dir() / "drugs.toml").read_text()
    (work / "drugs.toml").write_text(
        text.replace(LIDOCAINE_PLAIN, f"plain = {{ mg_per_kg = 4.5, max_mg = {literal} }}", 1)
    )
    # Oracle written here: the Xylocaine label's 300 mg for lidocaine without epinephrine.
    acceptable = not isinstance(value, bool | str) and math.isfinite(float(value)) and 0 < float(value) <= 300
    try:
        cat = load_catalogue(work)
    except CatalogueError as exc:
        assert not acceptable, f"{value!r} refused: {exc}"
        assert "\n" not in str(exc)
    else:
        assert acceptable, f"{value!r} loaded"
        assert cat.local_anaesthetics["lidocaine"].plain.max_mg == float(value)  # type: ignore[arg-type]


def test_procedure_run_on_a_raised_catalogue_exits_with_one_line(tmp_path: Path) -> None:
    work = copy_catalogue(tmp_path)
    edit(work / "drugs.toml", LIDOCAINE_PLAIN, "plain = { mg_per_kg = 4.5, max_mg = 3000 }")
    script = tmp_path / "s.toml"
    script.write_text('procedure = "knee_joint_injection"\n')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sonocart",
            "procedure",
            "--catalogue",
            str(work),
            "run",
            "--script",
            str(script),
            "--records",
            str(tmp_path / "rec"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(r"lidocaine\.plain\.max_mg .*outside 0\.\.300", lines[0]), (
        done.stderr
    )


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (
            "hold_hours = { intermediate = 72, high = 72 }",  # apixaban, the first 3-day hold
            "hold_hours = { intermediate = 24, high = 72 }",
            "apixaban.hold_hours.intermediate = 24 h is shorter than the cited 72 h",
        ),
        (
            "hold_hours = { intermediate = 168, high = 168 }",  # clopidogrel's 7 days dropped
            "hold_hours = { high = 168 }",
            "clopidogrel.hold_hours.intermediate is missing (cited: 168 h)",
        ),
        ("hold_hours = { high = 144 }\n", "", "aspirin.hold_hours is missing"),
    ],
)
def test_a_hold_time_shortened_or_dropped_with_its_source_still_cited_does_not_load(
    tmp_path: Path, old: str, new: str, why: str
) -> None:
    # Narouze et al. 2018: apixaban 3 days, clopidogrel 7 days, aspirin 6 days before high-risk procedures.
    work = copy_catalogue(tmp_path)
    edit(work / "drugs.toml", old, new)
    with pytest.raises(CatalogueError, match=re.escape(why)):
        load_catalogue(work)
