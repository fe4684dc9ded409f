"""Parse ``drugs.toml`` (local anaesthetics, other drugs and their stocked strengths, antithrombotics with
their hold times) and a site's narrowing.

A strength is a cited presentation: the loader refuses a list that is not finite, positive and free of
repeats, and a site file may only remove strengths (stock fewer), never add one the catalogue does not cite.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sonocart.procedures.catalogue_model import (
    BLEEDING_RISKS,
    Antithrombotic,
    CatalogueError,
    DoseLimit,
    LocalAnaesthetic,
    OtherDrug,
)
from sonocart.validation.catalogue import MAX_HOLD_H

Cite = Callable[[str, dict[str, Any]], tuple[str, ...]]
#: 5 % is 50 mg/mL, the most concentrated local anaesthetic the dose rules accept (dose.la_components).
MAX_PERCENT = 5.0
STOCK_KEYS = {
    "local anaesthetic": ("percent", "percent_with_epinephrine"),
    "drug": ("mg_per_ml",),
}


def _strengths(value: Any, where: str, top: float | None = None) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: expected a list of strengths")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
            raise CatalogueError(f"{where}: strength {v!r} is not a positive number")
        if top is not None and v > top:
            raise CatalogueError(f"{where}: strength {v} is above {top:g}")
        out.append(float(v))
    if len(set(out)) != len(out):
        raise CatalogueError(f"{where}: a strength is listed twice")
    return tuple(out)


def antithrombotic(cite: Cite, drug: str, raw: dict[str, Any]) -> Antithrombotic:
    """One anticoagulant, antiplatelet or supplement; ``hold_hours`` only for classes it must be held in."""
    where = f"antithrombotic {drug}"
    must = tuple(raw["must_hold_for"])
    if not set(must) <= set(BLEEDING_RISKS):
        raise CatalogueError(f"{where}: must_hold_for lists classes of {list(BLEEDING_RISKS)}")
    hours = raw.get("hold_hours", {})
    if not isinstance(hours, dict):
        raise CatalogueError(f"{where}: hold_hours is a table of bleeding-risk class = hours")
    for risk, h in hours.items():
        if risk not in must:
            raise CatalogueError(f"{where}: hold_hours.{risk} for a class it need not be held in")
        if isinstance(h, bool) or not isinstance(h, int | float) or not math.isfinite(h):
            raise CatalogueError(f"{where}: hold_hours.{risk} must be a number of hours")
        if not 0 < h <= MAX_HOLD_H:
            raise CatalogueError(f"{where}: hold_hours.{risk} = {h} is outside 0-{MAX_HOLD_H:g} h")
    return Antithrombotic(
        drug,
        raw["name"],
        raw["hold"],
        must,
        cite(where, raw),
        tuple((str(r), float(h)) for r, h in hours.items()),
    )


def _limit(raw: dict[str, Any]) -> DoseLimit:
    return DoseLimit(mg_per_kg=float(raw["mg_per_kg"]), max_mg=float(raw["max_mg"]))


def local_anaesthetic(cite: Cite, drug: str, raw: dict[str, Any]) -> LocalAnaesthetic:
    where = f"drug {drug}"
    missing = [k for k in ("percent", "percent_with_epinephrine") if k not in raw]
    if missing:
        raise CatalogueError(f"{where}: missing {missing} (the stocked strengths; [] when none)")
    with_epi = _strengths(raw["percent_with_epinephrine"], f"{where}.percent_with_epinephrine", MAX_PERCENT)
    ratio = raw.get("epinephrine", "")
    if with_epi and not (isinstance(ratio, str) and ratio):
        raise CatalogueError(f"{where}: strengths with epinephrine need its ratio (epinephrine = ...)")
    return LocalAnaesthetic(
        drug,
        raw["name"],
        raw["class"],
        _limit(raw["plain"]),
        _limit(raw["with_epinephrine"]),
        cite(where, raw),
        percent=_strengths(raw["percent"], f"{where}.percent", MAX_PERCENT),
        percent_with_epinephrine=with_epi,
        epinephrine_ratio=ratio,
        display_name=_display_name(where, raw),
    )


def _display_name(where: str, raw: dict[str, Any]) -> str:
    """Tall-man lettering changes the case of a name, never its letters (a typo would show another drug)."""
    shown = raw.get("display_name", "")
    if not isinstance(shown, str) or (shown and shown.lower() != str(raw["name"]).lower()):
        raise CatalogueError(
            f"{where}: display_name {shown!r} must spell name {raw['name']!r} (only the case may differ)"
        )
    return shown


def other_drug(cite: Cite, drug: str, raw: dict[str, Any]) -> OtherDrug:
    where = f"drug {drug}"
    strengths = _strengths(raw.get("mg_per_ml", []), f"{where}.mg_per_ml")
    unit = raw.get("unit", "")
    if strengths and not (isinstance(unit, str) and unit):
        raise CatalogueError(f'{where}: strengths need a unit (unit = "mg/mL"...)')
    tags = tuple(raw.get("tags", ()))
    return OtherDrug(drug, raw["name"], tags, cite(where, raw), strengths, unit, _display_name(where, raw))


def narrow_stock(
    las: dict[str, LocalAnaesthetic], others: dict[str, OtherDrug], stock: dict[str, Any]
) -> tuple[dict[str, LocalAnaesthetic], dict[str, OtherDrug]]:
    """A site's ``[stock.<drug>]`` lists: a subset of the cited strengths (fewer, never another)."""
    las, others = dict(las), dict(others)
    for drug, lists in stock.items():
        kind = "local anaesthetic" if drug in las else "drug" if drug in others else ""
        if not kind:
            raise CatalogueError(f"site file: stock of unknown drug {drug!r}")
        unknown = set(lists) - set(STOCK_KEYS[kind])
        if unknown:
            raise CatalogueError(
                f"site file: stock.{drug}: unknown key(s) {sorted(unknown)};"
                f" a {kind} lists {list(STOCK_KEYS[kind])}"
            )
        base: LocalAnaesthetic | OtherDrug = las[drug] if drug in las else others[drug]
        changes: dict[str, tuple[float, ...]] = {}
        for key, value in lists.items():
            cited: tuple[float, ...] = getattr(base, key)
            wanted = _strengths(value, f"site file: stock.{drug}.{key}")
            extra = [v for v in wanted if v not in cited]
            if extra:
                raise CatalogueError(
                    f"site file: stock.{drug}.{key} {extra} is not a cited strength {list(cited)}; "
                    "a site may stock fewer strengths, not others"
                )
            changes[key] = wanted
        if drug in las:
            la = las[drug]
            las[drug] = replace(
                la,
                percent=changes.get("percent", la.percent),
                percent_with_epinephrine=changes.get("percent_with_epinephrine", la.percent_with_epinephrine),
            )
        else:
            other = others[drug]
            others[drug] = replace(other, mg_per_ml=changes.get("mg_per_ml", other.mg_per_ml))
    return las, others
