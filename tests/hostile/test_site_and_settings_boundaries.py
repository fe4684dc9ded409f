"""Site files and settings files: any content loads or is refused in one line; NaN, ≤ 0 and typos that
would disable a hard stop are refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sonocart.cart.settings import SettingsError, load_settings
from sonocart.procedures.catalogue import CatalogueError, load_catalogue


def site(tmp_path: Path, text: str | bytes) -> Path:
    p = tmp_path / "site.toml"
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[dose_limits.lidocaine]\nplain = { max_mg = -1 }\n", "above 0"),
        ("[dose_limits.lidocaine]\nplain = { max_mg = nan }\n", "not a finite number"),
        ("[dose_limits.lidocaine]\nplain = { max_mg = 0 }\n", "above 0"),
        ("[dose_limits.lidocaine]\nplain = { mg_per_kg = inf }\n", "not a finite number"),
        ("[dose_limits.lidocaine]\nplain = { max_mg = '200' }\n", "not a finite number"),
        ("[dose_limits.lidocaine]\nplian = { max_mg = 200 }\n", "unknown key"),
        ("[dose_limits.lidocaine]\nplain = { max = 200 }\n", "unknown key"),
        ("[procedures.femoral_nerve_block]\nobservation_minutes = 0\n", "above 0"),
        ("[procedures.femoral_nerve_block]\nobservation_minutes = 241\n", "outside"),
        ("[procedures.femoral_nerve_block]\nobservation_minutes = nan\n", "not a finite number"),
        ("[procedures.femoral_nerve_block]\npause_s = -5\n", "outside"),
        ("[procedures.femoral_nerve_block]\npause_s = true\n", "not a finite number"),
        ("dose_limits = 3\n", "must be a table"),
        (b"\xff\xfe", "cannot be read"),
        ("x = " + "[" * 3000 + "]" * 3000 + "\n", "unknown table|cannot be read"),
    ],
)
def test_a_site_file_that_would_weaken_a_hard_stop_is_refused(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises(CatalogueError, match=why):
        load_catalogue(site_file=site(tmp_path, text))


def test_a_lowered_limit_still_applies(tmp_path: Path) -> None:
    cat = load_catalogue(site_file=site(tmp_path, "[dose_limits.lidocaine]\nplain = { max_mg = 200 }\n"))
    assert cat.local_anaesthetics["lidocaine"].plain.max_mg == 200.0


def toml_value(v: object) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return json.dumps(v)  # TOML reads JSON's numbers, booleans and basic strings the same way


values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**6), st.booleans(), st.text(max_size=5)
)


@settings(max_examples=150, deadline=None)
@given(
    table=st.sampled_from(
        [
            "dose_limits.lidocaine.plain",
            "dose_limits.bupivacaine.with_epinephrine",
            "procedures.femoral_nerve_block",
            "stock",
            "dose_limits.nope.plain",
        ]
    ),
    key=st.sampled_from(["max_mg", "mg_per_kg", "observation_minutes", "pause_s", "typo"]),
    value=values,
)
def test_any_site_value_applies_within_its_bounds_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, table: str, key: str, value: object
) -> None:
    tmp = tmp_path_factory.mktemp("site")
    text = f"[{table}]\n{key} = {toml_value(value)}\n"
    try:
        cat = load_catalogue(site_file=site(tmp, text))
    except CatalogueError as exc:
        assert "\n" not in str(exc)
        return
    for la in cat.local_anaesthetics.values():  # the oracle: every limit finite and above 0
        for lim in (la.plain, la.with_epinephrine):
            assert (
                math.isfinite(lim.max_mg)
                and lim.max_mg > 0
                and math.isfinite(lim.mg_per_kg)
                and lim.mg_per_kg > 0
            )
    for proc in cat.procedures.values():
        assert 0 < proc.observation_minutes <= 240 and 0 < proc.injection.pause_s <= 120


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=8)),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(raw=json_values | st.binary(max_size=50))
def test_any_settings_file_loads_or_is_refused_with_a_settings_error(
    tmp_path_factory: pytest.TempPathFactory, raw: object
) -> None:
    path = tmp_path_factory.mktemp("settings") / "settings.json"
    path.write_bytes(raw if isinstance(raw, bytes) else json.dumps(raw).encode())
    try:
        load_settings(path, demo=False)
    except SettingsError as exc:
        assert "\n" not in str(exc)


def test_a_deeply_nested_settings_file_is_a_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("[" * 200_000)
    with pytest.raises(SettingsError, match=r"nested too deeply|not valid JSON"):
        load_settings(path, demo=False)
