"""The injection panel: drug, concentration, what has been given and how much is left, before each aliquot.

The core computes it (the view only shows it) from the drawn syringe, the weight and the journaled
aliquots; the warnings say what the *next* aliquot would do before it is given: cross 80 % of the maximum
(approach) or cross 100 % (exceed). Mixtures add each drug's fraction of its own maximum (see
:mod:`sonocart.procedures.dose`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.dose import APPROACH_FRACTION, Component, la_components, limit_mg, tally
from sonocart.procedures.state import State

#: Joins a number to its unit in the texts shown (DrugLine.text).
NBSP = "\u00a0"


@dataclass(frozen=True)
class DrugLine:
    name: str
    mg_per_ml: float
    epinephrine: bool
    mg_given: float  # from every syringe
    max_mg: float

    def text(self) -> str:
        """The drug's line on the injection screen; each number joined to its unit by a no-break space
        (NBSP), so that a narrow column wraps or cuts it between words but never between "5" and "mg/mL"
        (ISMP: a dose and its unit are read together)."""
        epi = " with epinephrine" if self.epinephrine else ""
        pct = self.mg_per_ml / 10.0
        return (
            f"{self.name} {pct:g}{NBSP}% ({self.mg_per_ml:g}{NBSP}mg/mL){epi}:"
            f" {self.mg_given:g} of {self.max_mg:g}{NBSP}mg"
        )


@dataclass(frozen=True)
class InjectionPanel:
    syringe: str
    drugs: tuple[DrugLine, ...]
    aliquots: int
    total_ml: float
    fraction: float  # of the maximum, all syringes
    ml_left: float  # of this syringe before the maximum
    next_ml: float
    fraction_after_next: float
    warning: str  # "" / "approach" (crosses 80 %) / "exceed" (crosses 100 %)
    max_rate_ml_per_min: float

    def warning_text(self) -> str:
        if not self.warning:
            return ""
        limit = "THE MAXIMUM" if self.warning == "exceed" else f"{APPROACH_FRACTION:.0%} of the maximum"
        return (
            f"next {self.next_ml:g} mL would cross {limit}: {self.fraction_after_next:.0%}"
            f" ({self.ml_left:.1f} mL left to the maximum)"
        )


def fraction_per_ml(cat: Catalogue, comps: list[Component], weight_kg: float) -> float:
    return sum(c.mg_per_ml / limit_mg(cat, c.drug, c.epinephrine, weight_kg) for c in comps)


def crossing(before: float, after: float) -> str:
    """Which limit going from ``before`` to ``after`` (fractions of the maximum) crosses, if any."""
    if after > 1.0 + 1e-9:
        return "exceed"
    if before < APPROACH_FRACTION <= after:
        return "approach"
    return ""


def _pick(meds: list[dict[str, Any]], syringe_id: str | None) -> dict[str, Any] | None:
    for syringe in meds:
        if syringe_id is None or syringe["id"] == syringe_id:
            return syringe
    return None


def injection_panel(
    cat: Catalogue, state: State, next_ml: float, syringe_id: str | None = None
) -> InjectionPanel | None:
    """The panel for ``syringe_id`` (default: the first drawn), None before a syringe and weight exist."""
    weight = state.answers.get("weight_kg")
    syringe = _pick(state.answers.get("medications", []), syringe_id)
    if weight is None or syringe is None:
        return None
    comps = la_components(cat, syringe)
    per_ml = fraction_per_ml(cat, comps, float(weight))
    meds = {m["id"]: m for m in state.answers.get("medications", [])}
    given = [(c, a.volume_ml) for a in state.aliquots for c in la_components(cat, meds.get(a.syringe, {}))]
    now = tally(cat, given, float(weight)).fraction  # exact (the journal keeps it rounded)
    after = now + per_ml * next_ml
    left = max(0.0, (1.0 - now) / per_ml) if per_ml > 0 else float("inf")
    drugs = tuple(
        DrugLine(
            cat.drug_display_name(c.drug),
            c.mg_per_ml,
            c.epinephrine,
            round(state.mg_by_drug.get(c.drug, 0.0), 3),
            round(limit_mg(cat, c.drug, c.epinephrine, float(weight)), 1),
        )
        for c in comps
    )
    return InjectionPanel(
        str(syringe["id"]),
        drugs,
        len(state.aliquots),
        round(sum(a.volume_ml for a in state.aliquots), 3),
        now,
        left,
        next_ml,
        after,
        crossing(now, after) if per_ml > 0 else "",
        state.procedure.injection.max_rate_ml_per_min,
    )
