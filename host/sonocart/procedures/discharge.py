"""Discharge instructions from the catalogue, chosen by the procedure's flags and what happened.

Flags added at run time: ``sedated`` when sedation with an escort was recorded, ``steroid`` when a steroid
was drawn.
"""

from __future__ import annotations

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.state import State


def discharge_instructions(catalogue: Catalogue, state: State) -> list[str]:
    flags = set(state.procedure.flags)
    if state.answers.get("sedation_driver") == "sedation_with_escort":
        flags.add("sedated")
    meds = state.answers.get("medications", [])
    if any(
        "steroid" in catalogue.other_drugs[p["drug"]].tags
        for s in meds
        for p in s["contents"]
        if p["drug"] in catalogue.other_drugs
    ):
        flags.add("steroid")
    return [i.text for i in catalogue.discharge if not i.only_if or flags.intersection(i.only_if)]
