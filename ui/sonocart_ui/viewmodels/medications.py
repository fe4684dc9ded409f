"""The medications step as buttons: draw each syringe from the catalogue's stock, label it, submit them all.

The drugs offered, their strengths and the epinephrine variants come from the catalogue
(``Catalogue.offered_drugs``, ``Catalogue.strengths``); each part is written by ``Strength.part`` in the
engine's own format. The form checks nothing clinical: an unlabelled syringe, an allergy conflict or a dose
is the engine's to refuse, and its refusal is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sonocart.procedures.catalogue import Catalogue, Procedure, Strength
from sonocart_ui.viewmodels.actions import Action

#: Volume stepper for the syringe being drawn (mL per press, smallest volume).
VOLUME_STEP_ML = 1.0
VOLUME_MIN_ML = 0.5


@dataclass
class Syringe:
    id: str
    volume_ml: float
    parts: list[Strength] = field(default_factory=list)
    labelled: bool = False

    def answer(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "labelled": self.labelled,
            "volume_ml": self.volume_ml,
            "contents": [p.part() for p in self.parts],
        }


class MedicationsForm:
    """Syringes drawn so far (the last one is being drawn) and the drug/strength picked for the next part."""

    def __init__(self, catalogue: Catalogue, procedure: Procedure) -> None:
        self.catalogue = catalogue
        self.procedure = procedure
        self.default_volume_ml = procedure.injection.typical_total_ml
        self.syringes = [Syringe("A", self.default_volume_ml)]
        self.drug = ""
        self.epinephrine = False
        self.strength: Strength | None = None

    @property
    def current(self) -> Syringe:
        return self.syringes[-1]

    def _choices(self) -> list[Strength]:
        """Stocked strengths of the picked drug, plain or with epinephrine as chosen."""
        if not self.drug:
            return []
        return [s for s in self.catalogue.strengths(self.drug) if bool(s.epinephrine) == self.epinephrine]

    # -- view -------------------------------------------------------------------------------------
    def actions(self) -> tuple[list[Action], str]:
        cat, cur = self.catalogue, self.current
        acts = [
            Action(f"med:{d}", _short(cat.drug_display_name(d)), d == self.drug)
            for d in cat.offered_drugs(self.procedure)
        ]
        if self.drug:
            stocked = cat.strengths(self.drug)
            ratios = sorted({s.epinephrine for s in stocked if s.epinephrine})
            if ratios and any(not s.epinephrine for s in stocked):
                acts += [
                    Action("epi:no", "Plain", not self.epinephrine),
                    Action("epi:yes", f"With epinephrine {', '.join(ratios)}", self.epinephrine),
                ]
            acts += [Action(f"strength:{s.value:g}", s.label, s == self.strength) for s in self._choices()]
        if self.strength is not None:
            what = f"{_short(cat.drug_display_name(self.drug))} {self.strength.label}"
            acts.append(Action("add", f"Add {what} to syringe {cur.id}", primary=True))
        acts += [
            Action("mvol:-", f"− {VOLUME_STEP_ML:g} mL"),
            Action("mvol:+", f"+ {VOLUME_STEP_ML:g} mL"),
        ]
        acts += [Action(f"label:{s.id}", f"Syringe {s.id} labelled", s.labelled) for s in self.syringes]
        if cur.parts:
            acts += [Action("next_syringe", "Next syringe"), Action("empty", f"Empty syringe {cur.id}")]
        drawn = [s for s in self.syringes if s.parts]
        acts.append(Action("done", f"Record {len(drawn)} syringe{'s' * (len(drawn) != 1)}", primary=True))
        return acts, " · ".join(self._describe(s) for s in self.syringes)

    def _describe(self, s: Syringe) -> str:
        contents = " + ".join(
            f"{_short(self.catalogue.drug_display_name(p.drug))} {p.label}" for p in s.parts
        )
        label = "labelled" if s.labelled else "NOT labelled"
        return f"syringe {s.id}: {contents or 'empty'}, {s.volume_ml:g} mL, {label}"

    # -- input ------------------------------------------------------------------------------------
    def press(self, name: str, arg: str) -> bool:
        """Change the form for one button; False when the key is not this form's."""
        if name == "med":
            self.drug, self.strength = arg, None
            self.epinephrine = self.epinephrine and any(s.epinephrine for s in self.catalogue.strengths(arg))
        elif name == "epi":
            self.epinephrine = arg == "yes"
            if self.strength is not None and self.strength not in self._choices():
                self.strength = None
        elif name == "strength":
            self.strength = next((s for s in self._choices() if f"{s.value:g}" == arg), None)
        elif name == "add" and self.strength is not None:
            self.current.parts = [p for p in self.current.parts if p.drug != self.strength.drug]
            self.current.parts.append(self.strength)
            self.drug, self.strength = "", None
        elif name == "mvol":
            delta = VOLUME_STEP_ML if arg == "+" else -VOLUME_STEP_ML
            self.current.volume_ml = max(VOLUME_MIN_ML, self.current.volume_ml + delta)
        elif name == "label" and (labelled := self._syringe(arg)) is not None:
            labelled.labelled = not labelled.labelled
        elif name == "next_syringe" and self.current.parts:
            self.syringes.append(Syringe(chr(ord("A") + len(self.syringes)), self.default_volume_ml))
        elif name == "empty":
            self.current.parts, self.current.labelled = [], False
        else:
            return False
        return True

    def _syringe(self, syringe_id: str) -> Syringe | None:
        return next((s for s in self.syringes if s.id == syringe_id), None)

    def answer(self) -> list[dict[str, Any]]:
        """Every syringe with contents, exactly as drawn (labelled or not: the engine decides)."""
        return [s.answer() for s in self.syringes if s.parts]


def _short(name: str) -> str:
    """``Dexamethasone sodium phosphate (non-particulate...)`` -> ``Dexamethasone sodium phosphate``."""
    return name.split(" (")[0]
