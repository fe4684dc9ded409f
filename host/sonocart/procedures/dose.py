"""Cumulative local-anaesthetic dose against the cited maximum for drug, epinephrine and weight.

Local anaesthetic toxicity is additive, so a mixture is judged by the sum of each drug's fraction of its own
maximum (rosenberg_2004 in the catalogue); 1.0 is the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sonocart.procedures.catalogue import Catalogue, DoseLimit

APPROACH_FRACTION = 0.8


class DoseError(ValueError):
    """A syringe description the dose rules cannot evaluate."""


@dataclass(frozen=True)
class Component:
    drug: str
    mg_per_ml: float
    epinephrine: bool


def la_components(catalogue: Catalogue, syringe: Mapping[str, Any]) -> list[Component]:
    """Local-anaesthetic parts of a syringe; strength as ``percent`` (1 % = 10 mg/mL) or ``mg_per_ml``."""
    out = []
    for part in syringe.get("contents", ()):
        drug = part.get("drug")
        if drug in catalogue.local_anaesthetics:
            if "percent" in part:
                mg_per_ml = float(part["percent"]) * 10.0
            elif "mg_per_ml" in part:
                mg_per_ml = float(part["mg_per_ml"])
            else:
                raise DoseError(f"syringe {syringe.get('id')}: {drug} needs percent or mg_per_ml")
            if mg_per_ml <= 0 or mg_per_ml > 50:
                raise DoseError(
                    f"syringe {syringe.get('id')}: {drug} strength {mg_per_ml} mg/mL is implausible"
                )
            out.append(Component(drug, mg_per_ml, bool(part.get("epinephrine", False))))
        elif drug not in catalogue.other_drugs:
            raise DoseError(f"syringe {syringe.get('id')}: unknown drug {drug!r}")
    return out


def limit_mg(catalogue: Catalogue, drug: str, epinephrine: bool, weight_kg: float) -> float:
    la = catalogue.local_anaesthetics[drug]
    lim: DoseLimit = la.with_epinephrine if epinephrine else la.plain
    return min(lim.mg_per_kg * weight_kg, lim.max_mg)


@dataclass(frozen=True)
class DoseTally:
    mg_by_drug: dict[str, float]
    fraction: float


def tally(catalogue: Catalogue, doses: Iterable[tuple[Component, float]], weight_kg: float) -> DoseTally:
    """Sum mg per drug and the fraction of the maximum over (component, volume_ml) pairs."""
    mg: dict[str, float] = {}
    fraction = 0.0
    for comp, volume in doses:
        given = comp.mg_per_ml * volume
        mg[comp.drug] = mg.get(comp.drug, 0.0) + given
        fraction += given / limit_mg(catalogue, comp.drug, comp.epinephrine, weight_kg)
    return DoseTally(mg, fraction)
