"""Escalation: a dose over the maximum, blood on aspiration, suspected LAST or LAST mode used
(``last.toml [escalation]``) extend the observation to the LAST watch and block discharge until a named
clinician clears it with their reason."""

from __future__ import annotations

from typing import Any

from sonocart.procedures import injection
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.inputs import ClearEscalation
from sonocart.procedures.prompts import Priority
from sonocart.procedures.rejected import InputRejected
from sonocart.procedures.state import State

ESCALATED = "escalated"
MIN_NAME, MIN_REASON = 2, 5


def escalation_prompt(cat: Catalogue, state: State) -> tuple[str, dict[str, Any]]:
    why = ", ".join(state.escalation_reasons())
    tail = cat.last.tail_min
    text = (
        f"ESCALATED ({why}): observe to the end of the {tail:g}-min LAST watch; discharge only once"
        " a named clinician has cleared it."
    )
    return injection.prompt(ESCALATED, Priority.MEDIUM, text)


def clear(st: State, inp: ClearEscalation) -> list[tuple[str, dict[str, Any]]]:
    """The ``escalation_cleared`` event: the clinician named, their reason, what was escalated."""
    if not st.escalated():
        raise InputRejected("nothing to clear: the observation is not escalated")
    if len(inp.clinician.strip()) < MIN_NAME or len(inp.reason.strip()) < MIN_REASON:
        raise InputRejected("clearing needs the clinician's name and their reason")
    who = inp.clinician.strip()
    # Named by id or by roster name: the roster name, and the id it stands for (the cart checked the PIN).
    who = next((i for i, n in st.names.items() if who.casefold() in (i.casefold(), n.casefold())), who)
    payload = {"clinician": st.names.get(who, who), "reason": inp.reason.strip()}
    if who in st.names:  # a roster clinician (PIN checked by the cart): the name, and the id it stands for
        payload["clinician_id"] = who
    return [("escalation_cleared", {**payload, "reasons": st.escalation_reasons()})]
