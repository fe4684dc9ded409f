"""The catalogue boundary: the shipped clinical data is the reviewed data, and its limits are the cited ones.

A catalogue with lidocaine ``max_mg`` 300 → 3000 still cites the Xylocaine label, so "every rule cites a
source" does not catch it. Two checks run before the loader parses anything
(``procedures.catalogue.load_catalogue``):

- **Manifest**: the shipped folder's files must match ``catalogue.sha256`` (``sha256sum`` format, kept
  beside this module and shipped in the same signed release): a hand-edited file, an added or a missing one
  is refused. A reviewed change to the catalogue rewrites the manifest with
  ``python -m sonocart.validation.catalogue --write`` in the same commit.
- **Values** (any folder, also ``sonocart procedure --catalogue DIR``): the clinical numbers are exact
  numbers (never text or a bool), finite, above 0 and at most the cited ceiling; a hold time before the
  procedure is at least its cited floor (shorter is the unsafe direction). The dose ceilings are the
  labels' maxima, written here apart from the data so that the data cannot raise them; the other bounds
  are the cited practice ranges, or a stated plausibility bound where no source gives one.

A site file narrows further (``validation.site``, ``procedures.catalogue._apply_site``: lower, never raise).
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sonocart.validation.values import Refused, number

MANIFEST = Path(__file__).with_name("catalogue.sha256")
MAX_FILE_BYTES = 1 << 20  # the largest shipped file is ~20 kB

#: (mg/kg, max mg) ceilings per local anaesthetic and presentation, from the product labels:
#: Xylocaine US PI (lidocaine 4.5 mg/kg, 300 mg plain; 7 mg/kg, 500 mg with epinephrine), Marcaine US PI
#: (bupivacaine 175 mg plain, 225 mg with epinephrine; 2 and 2.5 mg/kg per Rosenberg et al., Reg Anesth
#: Pain Med 2004;29:564-575), Chirocaine UK SmPC (levobupivacaine 150 mg, 2 mg/kg), Naropin US PI
#: (ropivacaine up to 300 mg; 3 mg/kg per Rosenberg 2004). Levobupivacaine and ropivacaine have no
#: epinephrine presentation: the same ceiling applies.
DOSE_CEILINGS: dict[str, dict[str, tuple[float, float]]] = {
    "lidocaine": {"plain": (4.5, 300.0), "with_epinephrine": (7.0, 500.0)},
    "bupivacaine": {"plain": (2.0, 175.0), "with_epinephrine": (2.5, 225.0)},
    "levobupivacaine": {"plain": (2.0, 150.0), "with_epinephrine": (2.0, 150.0)},
    "ropivacaine": {"plain": (3.0, 300.0), "with_epinephrine": (3.0, 300.0)},
}

#: Floors of the hours the last dose must precede a procedure, per drug and bleeding-risk class: Narouze et
#: al., Reg Anesth Pain Med 2018;43:225-262 (warfarin 5 days; apixaban and rivaroxaban 3 days; dabigatran
#: 4-5 days, the upper end; clopidogrel 7 days; prophylactic enoxaparin 12 h; aspirin 6 days, high risk
#: only). Written apart from the data so that an edit cannot shorten a hold or drop it: a listed figure is
#: required and may be longer, never shorter.
HOLD_FLOORS_H: dict[str, dict[str, float]] = {
    "warfarin": {"intermediate": 120.0, "high": 120.0},
    "apixaban": {"intermediate": 72.0, "high": 72.0},
    "rivaroxaban": {"intermediate": 72.0, "high": 72.0},
    "dabigatran": {"intermediate": 120.0, "high": 120.0},
    "clopidogrel": {"intermediate": 168.0, "high": 168.0},
    "enoxaparin_prophylactic": {"intermediate": 12.0, "high": 12.0},
    "aspirin": {"high": 144.0},
}
#: The longest hold a file may give (plausibility: the longest cited is 7 days).
MAX_HOLD_H = 720.0

#: Upper bounds of a procedure file's numbers (all must also be above 0). Aliquots of 3-5 mL with 15-30 s
#: pauses and a 15-60 min observation: ASRA Practice Advisory on LAST (Neal et al., Reg Anesth Pain Med
#: 2018;43:113-123); the 10 mL aliquot, 60 mL/min, 5 min test-dose watch, 60 mL total and 24 h follow-up
#: caps are plausibility bounds (no source gives a ceiling), wide enough for every cited procedure.
PROCEDURE_BOUNDS: dict[tuple[str, str], float] = {
    ("injection", "aliquot_ml"): 10.0,
    ("injection", "pause_s"): 120.0,
    ("injection", "max_rate_ml_per_min"): 60.0,
    ("injection", "test_dose_watch_s"): 300.0,
    ("injection", "typical_total_ml"): 60.0,
    ("observation", "minutes"): 240.0,
    ("outcomes", "post_pain_minutes"): 1440.0,
}

#: Ceilings of the lipid rescue doses: ASRA checklist for LAST 2020 (>70 kg: 100 mL bolus over 2-3 min,
#: 200-250 mL over 15-20 min; <=70 kg: 1.5 mL/kg bolus, 0.25 mL/kg/min infusion; about 12 mL/kg upper limit).
#: A dose above the checklist's is refused; times are bounded at 60 min (plausibility).
LIPID_BOUNDS: dict[str, float] = {
    "weight_threshold_kg": 70.0,
    "heavy_bolus_ml": 100.0,
    "heavy_infusion_ml": 250.0,
    "light_bolus_ml_per_kg": 1.5,
    "light_infusion_ml_per_kg_per_min": 0.25,
    "upper_limit_ml_per_kg": 12.0,
    "heavy_bolus_minutes": 60.0,
    "heavy_infusion_minutes": 60.0,
    "light_bolus_minutes": 60.0,
    "repeat_bolus_after_min": 60.0,
}

SHARED = {"sources.toml", "phases.toml", "drugs.toml", "last.toml", "alarms.toml"}


def digest(path: Path) -> str:
    """SHA-256 of ``path`` (refused above :data:`MAX_FILE_BYTES`, before reading it)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Refused(f"catalogue: {path.name} is larger than {MAX_FILE_BYTES} bytes")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(manifest: Path = MANIFEST) -> dict[str, str]:
    """``{file name: sha256}`` from a ``sha256sum``-format manifest."""
    try:
        lines = manifest.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise Refused(
            f"catalogue: the manifest {manifest.name} cannot be read ({type(exc).__name__})"
        ) from None
    out: dict[str, str] = {}
    for line in lines:
        hexdigest, _, name = line.partition("  ")
        out[name] = hexdigest
    return out


def write_manifest(directory: Path, manifest: Path = MANIFEST) -> None:
    """Record the reviewed state of ``directory`` (run in the commit that changes the catalogue)."""
    lines = [f"{digest(p)}  {p.name}\n" for p in sorted(directory.glob("*.toml"))]
    manifest.write_text("".join(lines), encoding="ascii")


def check_manifest(directory: Path, manifest: Path = MANIFEST) -> None:
    """Refuse a folder whose ``*.toml`` files are not exactly the manifest's (names and contents)."""
    expected = read_manifest(manifest)
    present = {p.name: p for p in directory.glob("*.toml")}
    if extra := sorted(set(present) - set(expected)):
        raise Refused(f"catalogue: {extra[0]} is not in the shipped catalogue's manifest")
    if missing := sorted(set(expected) - set(present)):
        raise Refused(f"catalogue: {missing[0]} of the shipped catalogue is missing")
    for name in sorted(present):
        if digest(present[name]) != expected[name]:
            raise Refused(
                f"catalogue: {name} differs from the reviewed catalogue (SHA-256 not in the manifest); "
                "a reviewed change rewrites it: python -m sonocart.validation.catalogue --write"
            )


def _load(path: Path) -> dict[str, Any]:
    try:
        digest(path)
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise Refused(f"catalogue: {path.name}: {exc}") from None
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise Refused(f"catalogue: {path.name} cannot be read as TOML ({type(exc).__name__})") from None


def _positive(where: str, value: object, top: float) -> None:
    if number(where, value, 0.0, top) <= 0:
        raise Refused(f"{where} must be above 0")


def _values(where: str, value: object) -> Iterator[tuple[str, object]]:
    """A scalar, or each element of a list (pairs like ``aliquot_ml = [3, 5]``)."""
    if isinstance(value, list):
        if not value or len(value) > 16:
            raise Refused(f"{where} must list 1 to 16 numbers")
        yield from ((f"{where}[{i}]", v) for i, v in enumerate(value))
    else:
        yield where, value


def _table(where: str, raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise Refused(f"{where}: missing table [{key}]")
    return value


def check_drugs(raw: dict[str, Any]) -> None:
    """Every local anaesthetic has a cited ceiling and its limits are exact numbers in 0 < x <= ceiling."""
    las = _table("catalogue: drugs.toml", raw, "local_anaesthetics")
    for drug, entry in las.items():
        if drug not in DOSE_CEILINGS:
            raise Refused(
                f"catalogue: local anaesthetic {drug!r} has no cited maximum dose in the boundary "
                f"(known: {sorted(DOSE_CEILINGS)})"
            )
        if not isinstance(entry, dict):
            raise Refused(f"catalogue: drug {drug} must be a table")
        for key, (per_kg, max_mg) in DOSE_CEILINGS[drug].items():
            limit = _table(f"catalogue: drug {drug}", entry, key)
            for field, top in (("mg_per_kg", per_kg), ("max_mg", max_mg)):
                where = f"catalogue: drug {drug}.{key}.{field}"
                if field not in limit:
                    raise Refused(f"{where} is missing")
                _positive(where + " (cited maximum)", limit[field], top)


def check_holds(raw: dict[str, Any]) -> None:
    """Every cited hold time is present, an exact number of hours and at least its floor."""
    drugs = _table("catalogue: drugs.toml", raw, "antithrombotics")
    for drug, floors in HOLD_FLOORS_H.items():
        entry = drugs.get(drug)
        if entry is None:
            continue  # a drug the site does not ask about has no hold to check
        hours = entry.get("hold_hours") if isinstance(entry, dict) else None
        if not isinstance(hours, dict):
            raise Refused(f"catalogue: antithrombotic {drug}.hold_hours is missing")
        for risk, floor in floors.items():
            where = f"catalogue: antithrombotic {drug}.hold_hours.{risk}"
            if risk not in hours:
                raise Refused(f"{where} is missing (cited: {floor:g} h)")
            if number(where, hours[risk], 0.0, MAX_HOLD_H) < floor:
                raise Refused(f"{where} = {hours[risk]} h is shorter than the cited {floor:g} h")


def check_procedure(name: str, raw: dict[str, Any]) -> None:
    for (table, key), top in PROCEDURE_BOUNDS.items():
        section = _table(f"catalogue: {name}", raw, table)
        if key not in section:
            raise Refused(f"catalogue: {name} {table}.{key} is missing")
        for where, value in _values(f"catalogue: {name} {table}.{key}", section[key]):
            _positive(where, value, top)


def check_last(raw: dict[str, Any]) -> None:
    lipid = _table("catalogue: last.toml", raw, "lipid")
    for key, top in LIPID_BOUNDS.items():
        if key not in lipid:
            raise Refused(f"catalogue: last.toml lipid.{key} is missing")
        for where, value in _values(f"catalogue: last.toml lipid.{key}", lipid[key]):
            _positive(where, value, top)


def check_catalogue(directory: Path, *, shipped: bool) -> None:
    """Raise :class:`Refused` (one line) unless ``directory`` may load; ``shipped``: check the manifest."""
    if not directory.is_dir():
        raise Refused(f"catalogue: {directory} is not a folder")
    if shipped:
        check_manifest(directory)
    for name in ("drugs.toml", "last.toml"):
        if not (directory / name).is_file():
            raise Refused(f"catalogue: {name} is missing")
    drugs = _load(directory / "drugs.toml")
    check_drugs(drugs)
    check_holds(drugs)
    check_last(_load(directory / "last.toml"))
    for path in sorted(directory.glob("*.toml")):
        if path.name not in SHARED:
            check_procedure(path.name, _load(path))


if __name__ == "__main__":  # python -m sonocart.validation.catalogue --write [FOLDER]
    if sys.argv[1:2] != ["--write"]:
        sys.exit("usage: python -m sonocart.validation.catalogue --write [FOLDER]")
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parents[1] / "procedures/catalogue"
    write_manifest(folder)
    print(f"wrote {MANIFEST} for {folder}")
