"""The status bar names the pedal board's light as the team sees it: its colour first, then what it
means (#14 item 3), for every state the link can report, never the indicator's id ("alarm_high").

The colours are read from docs/firmware.md's light table (the board's documented behaviour), an oracle
the core's word table never sees; maintenance, not in that table, is firmware/indicator.py's blue blink
(BLUE, on 200 ms in 2 s), written out here.
"""

from __future__ import annotations

import re
from pathlib import Path

from sonocart.cart.light import light_words
from sonocart.wire.pedal_codec import INDICATOR_NAMES
from tests.human_text import MACHINE_TEXT

DOC = Path(__file__).resolve().parents[2] / "docs" / "firmware.md"


def _documented_colours() -> dict[str, tuple[str, bool]]:
    """state -> (colour, flashing) from the "### Light" table's rows."""
    text = DOC.read_text().split("### Light", 1)[1].split("\n\n", 2)[1]
    out = {}
    for row in text.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        states, colours = cells[0].split(" / "), cells[1].split(" / ")
        flashing = bool(re.search(r"\d Hz", cells[2]))
        if len(colours) == 1:  # one colour for each state of the row
            colours *= len(states)
        for state, colour in zip(states, colours, strict=True):
            out[state] = (colour, flashing)
    return out


def test_every_light_state_is_its_documented_colour_then_its_meaning_in_words() -> None:
    colours = {**_documented_colours(), "maintenance": ("blue", True)}
    assert set(colours) == set(INDICATOR_NAMES)  # the table covers every state the link carries
    for state in INDICATOR_NAMES:
        words = light_words(state)
        assert not MACHINE_TEXT.search(words), (state, words)
        colour, flashing = colours[state]
        if colour == "—":  # off
            assert words == "off"
            continue
        seen, _, meaning = words.partition(", ")
        assert seen == (f"{colour} flashing" if flashing else colour), (state, words)
        assert meaning, (state, words)  # what the colour means, as the team reads it
    assert len({light_words(s) for s in INDICATOR_NAMES}) == len(INDICATOR_NAMES)  # no two read alike


def test_a_light_the_cart_has_not_set_yet_says_so() -> None:
    assert light_words("") == "not set yet"
