"""Overrides of hard stops: the one documented way past a stop, each with its own reason.

A reason already given for another stop is refused (one touch must not pass a new stop on an old
reason); the stops the alarm table marks ``override_needs_second_person`` (wrong side, overdose,
consent) also name a second operator, whose PIN the cart checks at its input boundary. A side override
carries the side it changes from and to, so every view and export can say so.
"""

from __future__ import annotations

from typing import Any

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.inputs import Override
from sonocart.procedures.rejected import InputRejected
from sonocart.procedures.state import State

Events = list[tuple[str, dict[str, Any]]]
MIN_REASON = 5


def override(cat: Catalogue, st: State, inp: Override) -> Events:
    """The ``override`` event for ``inp`` (raises InputRejected)."""
    if inp.rule not in st.hard_stops:
        raise InputRejected("that hard stop is not active: there is nothing to override")
    reason = inp.reason.strip()
    if len(reason) < MIN_REASON:
        raise InputRejected("an override needs a reason")
    reused = [r for r, o in st.overrides.items() if o["reason"].strip().lower() == reason.lower()]
    if reused:
        raise InputRejected("that reason was given for another stop: write this stop's own reason")
    payload: dict[str, Any] = {"rule": inp.rule, "reason": reason}
    rule = cat.alarm_rule(f"hard_stop:{inp.rule}")
    if rule is not None and rule.second_person:
        second = inp.second_operator.strip()
        if not second or second == inp.operator:
            raise InputRejected("overriding this hard stop needs a second operator's PIN")
        payload["second_operator"] = second
    if inp.rule == "side_not_confirmed":
        payload["side_from"] = st.answers.get("consent_side")
        payload["side_to"] = st.proposed_side()
    return [("override", payload)]
