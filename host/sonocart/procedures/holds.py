"""Why the step the procedure is on does not go on: the active hard stops raised at another step.

The engine holds the current step while any hard stop is active (a correction can raise one at an
earlier step). A stop of the current step's own answer is that step's prompt and needs no second
word; a stop raised elsewhere is silent on the step unless someone says so. This says so, in words,
from the engine's state: the one source the step form, the pedal confirmation and headless ``status``
all read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.state import State

LEAD = "HARD STOP: "
#: What a message on an accepted input says while the step stays held: the step's panel shows the held
#: line itself (whole, at both screen sizes), so the message points to it rather than repeat it.
STILL_HELD = "the step is still held: the Held line says why"


@dataclass(frozen=True)
class Hold:
    rule: str
    step: str  # the step whose answer raised the stop ("" when none is recorded)
    words: str  # the stop's message, without its "HARD STOP:" lead
    second_person: bool  # overriding it needs a second operator's PIN (alarm table)


def holds(cat: Catalogue, state: State) -> list[Hold]:
    """The active hard stops holding the current step that were raised at another step, oldest first."""
    step = state.current_step()
    if step is None:
        return []
    out = []
    for rule, hs in sorted(state.hard_stops.items(), key=lambda kv: int(kv[1].get("seq", 0))):
        if hs.get("step") == step.id:
            continue
        message = str(hs.get("message", rule))
        words = message[len(LEAD) :] if message.startswith(LEAD) else message
        row = cat.alarm_rule(f"hard_stop:{rule}")
        second = row is not None and row.second_person
        out.append(Hold(rule, str(hs.get("step") or ""), words.strip(), second))
    return out


def held_line(cat: Catalogue, state: State) -> str:
    """``"Held: <stop in words> — override or correct it"`` for the current step, else ``""``."""
    found = holds(cat, state)
    if not found:
        return ""
    parts = [f"{h.words}{' (override needs a second person)' if h.second_person else ''}" for h in found]
    them = "it" if len(found) == 1 else "each"
    return f"Held: {'; '.join(parts)} — override {them} or correct the earlier answer"
