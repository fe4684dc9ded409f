"""The chart note names timers as the screen does (#14 item 3): the core's timer names ("pause between
aliquots", not "aliquot pause" made of the id). Expected lines are written out here."""

from __future__ import annotations

from typing import Any

from sonocart.journal.store import Event
from sonocart.procedures.catalogue import load_catalogue
from sonocart.records.chart_words import Words


def _words() -> Words:
    return Words(load_catalogue().procedure("femoral_nerve_block"), {"dr_ana": "Dr Ana"}, {})


def _line(type_: str, payload: dict[str, Any]) -> str:
    return _words().event(Event(1, 0.0, "dr_ana", type_, payload, ""))


def test_timer_lines_use_the_cores_timer_names() -> None:
    assert _line("timer_started", {"name": "aliquot_pause", "duration_s": 20.0}) == (
        "Timer pause between aliquots started (20 s)"
    )
    assert _line("timer_expired", {"name": "last_onset"}) == "Timer LAST onset watch expired"
    assert _line("timer_started", {"name": "post_pain_30", "duration_s": 1800.0}) == (
        "Timer pain score at 30 min started (30 min)"
    )
    assert _line("prompt_acknowledged", {"id": "timer:test_dose_watch"}) == (
        "Acknowledged by Dr Ana: timer test-dose watch"
    )


def test_allergies_and_antithrombotics_are_named_as_the_catalogue_names_them() -> None:
    cat = load_catalogue()
    words = Words(cat.procedure("femoral_nerve_block"), {}, {}, cat)
    # drugs.toml: allergies.iodinated_contrast and antithrombotics.enoxaparin_prophylactic names
    assert words.answer("allergies", ["iodinated_contrast"]) == "Allergies: Iodine / iodinated contrast"
    taken = [{"drug": "enoxaparin_prophylactic", "held": True}]
    assert words.answer("antithrombotics", taken) == (
        "Anticoagulants and antiplatelets: Enoxaparin (prophylactic dose) (held)"
    )
