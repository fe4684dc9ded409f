"""The medications answer: labelled syringes, each drug at a strength the site stocks, checked on entry.

One syringe is ``{"id": "A", "labelled": true, "volume_ml": 10.0, "contents": [part, ...]}`` (``volume_ml``,
what was drawn, is optional for answers journaled before it existed). A part is
``{"drug": "lidocaine", "percent": 1.0, "epinephrine": true}`` for a local anaesthetic (or ``mg_per_ml``
instead of ``percent``), ``{"drug": "dexamethasone", "mg_per_ml": 4.0}`` for a steroid or contrast, and
``{"drug": "chlorhexidine_prep"}`` for what has no strength. :meth:`Strength.part` writes exactly these.

Every value is typed exactly (``epinephrine`` is a bool, never ``"no"``), finite and bounded, every drug is
one the procedure offers at a stocked strength: nothing unknown is accepted or silently replaced.
"""

from __future__ import annotations

import math
from typing import Any

from sonocart.procedures.catalogue import Catalogue, Procedure, Strength
from sonocart.procedures.rejected import InputRejected

MAX_SYRINGES = 12
MAX_PARTS = 4
MAX_ID_CHARS = 8
#: The largest syringe on the cart; also the ceiling for one aliquot (injection.log_aliquot).
MAX_VOLUME_ML = 50.0
SYRINGE_KEYS = frozenset({"id", "labelled", "volume_ml", "contents"})
PART_KEYS = frozenset({"drug", "percent", "mg_per_ml", "epinephrine"})
_TOLERANCE = 1e-9


def syringes(cat: Catalogue, procedure: Procedure, value: Any) -> list[dict[str, Any]]:
    """Validate the medications answer; return it in its stored form (copies, numbers as float)."""
    if not isinstance(value, list) or not value:
        raise InputRejected("medications: a list of labelled syringes {id, contents, labelled}")
    if len(value) > MAX_SYRINGES:
        raise InputRejected(f"medications: at most {MAX_SYRINGES} syringes")
    out: list[dict[str, Any]] = []
    for syringe in value:
        checked = _syringe(cat, procedure, syringe)
        if any(s["id"] == checked["id"] for s in out):
            raise InputRejected(f"medications: syringe id {checked['id']} is used twice")
        out.append(checked)
    return out


def syringe_words(cat: Catalogue, syringe: dict[str, Any]) -> str:
    """A drawn syringe as its label reads: "A (lidocaine 1 % with epinephrine)"."""
    parts = []
    for part in syringe.get("contents", []):
        words = cat.drug_display_name(part["drug"])
        if "percent" in part:
            words += f" {part['percent']:g} %"
        elif "mg_per_ml" in part:
            words += f" {part['mg_per_ml']:g} mg/mL"
        parts.append(words + (" with epinephrine" if part.get("epinephrine") else ""))
    return f"{syringe['id']} ({' + '.join(parts)})" if parts else str(syringe["id"])


def _syringe(cat: Catalogue, procedure: Procedure, syringe: Any) -> dict[str, Any]:
    if not isinstance(syringe, dict) or not syringe.get("id") or not syringe.get("contents"):
        raise InputRejected("medications: each syringe needs an id and contents")
    sid = syringe["id"]
    if not isinstance(sid, str) or len(sid) > MAX_ID_CHARS:
        raise InputRejected(f"medications: syringe id must be text of at most {MAX_ID_CHARS} characters")
    if unknown := sorted(set(syringe) - SYRINGE_KEYS):
        raise InputRejected(f"medications: syringe {sid}: unknown field(s) {unknown}")
    labelled = syringe.get("labelled")
    if not isinstance(labelled, bool):
        raise InputRejected(f"medications: syringe {sid}: labelled must be true or false")
    if not labelled:
        raise InputRejected(f"medications: syringe {sid} must be labelled before the time-out")
    out: dict[str, Any] = {"id": sid, "labelled": True}
    if "volume_ml" in syringe:
        volume = _number(syringe["volume_ml"], f"syringe {sid} volume")
        if not 0 < volume <= MAX_VOLUME_ML:
            raise InputRejected(
                f"medications: syringe {sid} volume {volume:g} mL is outside 0-{MAX_VOLUME_ML:g} mL"
            )
        out["volume_ml"] = volume
    contents = syringe["contents"]
    if not isinstance(contents, list) or len(contents) > MAX_PARTS:
        raise InputRejected(f"medications: syringe {sid}: contents is a list of at most {MAX_PARTS} drugs")
    parts = [_part(cat, procedure, sid, p) for p in contents]
    drugs = [p["drug"] for p in parts]
    if len(set(drugs)) != len(drugs):
        raise InputRejected(f"medications: syringe {sid} lists a drug twice")
    out["contents"] = parts
    return out


def _part(cat: Catalogue, procedure: Procedure, sid: str, part: Any) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise InputRejected(f"medications: syringe {sid}: each content is {{drug, strength}}")
    drug = part.get("drug")
    if unknown := sorted(set(part) - PART_KEYS):
        raise InputRejected(f"medications: syringe {sid}: unknown field(s) {unknown}")
    if drug not in cat.local_anaesthetics and drug not in cat.other_drugs:
        raise InputRejected(f"medications: syringe {sid}: unknown drug {drug!r}")
    stocked = cat.strengths(drug)
    if not stocked:
        if any(k in part for k in ("percent", "mg_per_ml", "epinephrine")):
            raise InputRejected(
                f"medications: syringe {sid}: {cat.drug_name(drug)} is not stocked in any strength"
            )
        return {"drug": drug}
    _offered(cat, procedure, drug)
    where = f"syringe {sid} {cat.drug_name(drug)}"
    if drug in cat.local_anaesthetics:
        if ("percent" in part) == ("mg_per_ml" in part):
            raise InputRejected(f"medications: {where} needs its strength in % or in mg/mL")
        epi = part.get("epinephrine", False)
        if not isinstance(epi, bool):
            raise InputRejected(f"medications: {where}: epinephrine must be true or false")
        key = "percent" if "percent" in part else "mg_per_ml"
        given = _number(part[key], where)
        percent = given if key == "percent" else given / 10.0
        _stocked(cat, where, drug, percent, epi, stocked)
        return {"drug": drug, key: given, "epinephrine": epi}
    if "percent" in part or "epinephrine" in part or "mg_per_ml" not in part:
        raise InputRejected(f"medications: {where} needs its strength in mg/mL (and no epinephrine)")
    mg_per_ml = _number(part["mg_per_ml"], where)
    _stocked(cat, where, drug, mg_per_ml, False, stocked)
    return {"drug": drug, "mg_per_ml": mg_per_ml}


def _offered(cat: Catalogue, procedure: Procedure, drug: str) -> None:
    if drug not in cat.offered_drugs(procedure):
        offered = ", ".join(c.replace("_", " ") for c in sorted(procedure.offered))
        raise InputRejected(
            f"medications: {cat.drug_name(drug)} is not used in {procedure.name} (offered: {offered})"
        )


def _stocked(
    cat: Catalogue, where: str, drug: str, value: float, epi: bool, stocked: tuple[Strength, ...]
) -> None:
    if any(abs(s.value - value) <= _TOLERANCE and bool(s.epinephrine) == epi for s in stocked):
        return
    unit = stocked[0].unit
    asked = f"{value:g} {unit}" + (" with epinephrine" if epi else "")
    raise InputRejected(
        f"medications: {where}: {asked} is not stocked; stocked: {', '.join(s.label for s in stocked)}"
    )


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputRejected(f"medications: {where}: {value!r} is not a finite number")
    return float(value)
