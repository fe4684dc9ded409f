"""An unsafe state is never shown like the safe one: its own word and its own flag (colour), by touch."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_medications_form import _walk_to
from tests.ui.vm_fixtures import started


def test_an_antithrombotic_not_held_reads_not_held_and_is_flagged_unlike_held(tmp_path: Path) -> None:
    _session, form = started(tmp_path)
    _walk_to(form, "antithrombotics")

    def button(key: str) -> tuple[str, bool, bool]:
        a = next(a for a in form.view().actions if a.key == key)
        return a.label, a.selected, a.unsafe

    assert button("drug:warfarin") == ("Warfarin", False, False)  # not taking
    assert form.press("drug:warfarin")
    assert button("drug:warfarin") == ("Warfarin: held", True, False)  # taking and held: safe
    assert form.press("drug:warfarin")
    label, selected, unsafe = button("drug:warfarin")
    # the word says it (upper case, not a suffix that reads like "held") and the flag differs from held
    assert (label, selected, unsafe) == ("Warfarin: NOT HELD", True, True)
    assert form.press("drug:warfarin")
    assert button("drug:warfarin") == ("Warfarin", False, False)  # back to not taking
