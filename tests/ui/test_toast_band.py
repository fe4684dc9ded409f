"""A toast longer than the status band's two lines, on a checklist screen at both cart screens
(toast_scenario.py, a part of the shared screens run): nothing on the screen moves while it is up, it
covers no control, and it is shown whole, two lines at a time, each page for its own seconds (its words
read back from Kivy's laid-out lines against the core's message)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ui.layout import overlap
from tests.ui.screens import ScreensRuns

MARK = re.compile(r" \((\d)/(\d)\)$")
#: How many pages each message takes at each size: the core's held message fits at once at both (since
#: round 12 it points to the Held line, holds.STILL_HELD, instead of repeating it: one line, where it was
#: three at 7 inches); the longest, written longer than any the core has, takes six lines at 7 inches
#: and four at 10, so paging is still read back at both sizes
PAGES = {"800x480": {"held": 1, "longest": 3}, "1280x800": {"held": 1, "longest": 2}}


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.ui
@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", list(PAGES))
def test_a_long_toast_moves_nothing_covers_nothing_and_is_read_whole_in_pages(
    screens: ScreensRuns, size: str
) -> None:
    r = screens(size).part("toast")
    looks: dict[str, Any] = {look["name"]: look for look in r["looks"]}
    before = looks["before"]
    assert before["screen"] == "sign_in" and before["toast"] == ""
    for message, n in PAGES[size].items():
        shown = [looks[f"{message} page {i}"] for i in range(1, n + 1)]
        assert f"{message} page {n + 1}" not in looks, (message, list(looks))
        gone = looks[f"{message} gone"]
        assert gone["toast"] == "", message
        said = shown[0]["said"]
        words: list[str] = []
        for i, look in enumerate(shown, start=1):
            lines = look["toast_lines"]
            assert 1 <= len(lines) <= 2, (message, i, lines)  # the band's two lines, never a third
            text = " ".join(lines)
            if n > 1:
                m = MARK.search(text)
                assert m and (int(m[1]), int(m[2])) == (i, n), (message, i, text)
                text = text[: m.start()]
            words += _words(text)
        # whole: every word of the core's message, in order, none added, none lost ("[!]" marks a refusal)
        assert words == _words(said) or words == ["[!]", *_words(said)], (message, words, said)
        for look in [*shown, gone]:
            # nothing moves: the screen's area, the band and every button on screen, against the same
            # step held with no toast up (and the band and screen against before the hold)
            ref = looks["held gone"]
            assert look["band"] == before["band"] and look["screen_rect"] == before["screen_rect"], look[
                "name"
            ]
            assert look["buttons"] == ref["buttons"], (look["name"], look["buttons"], ref["buttons"])
            # covers no control: the toast is drawn in the band only
            for key, rect in look["buttons"].items():
                assert overlap(look["toast_rect"], rect) == 0, (look["name"], key)
            bad = [t for t in look["texts"] if t["shortened"] or t["overflow"] or t["broken_word"]]
            assert not bad, (look["name"], bad)
    # the hold moved no button either (its prompt takes the nav bar's band: Steps, Scan and Alarms give way)
    held, was = looks["held gone"]["buttons"], before["buttons"]
    assert {k: held[k] for k in was if k in held} == {k: was[k] for k in was if k in held}
    assert sum(k.startswith("digit") or k.isdigit() for k in held) >= 10, sorted(held)  # the keypad
