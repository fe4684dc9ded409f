"""The live column's items and pages (viewmodels/column.py), without a window: the core's texts cut where
they already break, never reworded, in order of importance; every item on exactly one page. The expected
cuts are written out by hand from the catalogue's and the dose guard's real texts."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from sonocart_ui.viewmodels.column import (
    ColumnItem,
    button_rows,
    clauses,
    column_items,
    cue_texts,
    cut_grid,
    cut_tall,
    facts,
    header_notes,
    pages,
    part_ends,
    words_of,
)

INJECTION = "Aspirate before each aliquot; inject incrementally; log each aliquot."
STOP = "STOP: operator and assistant both check the site mark and side immediately before the needle."
DOSE = (
    "1 aliquot, 4 mL given · dose 9% of max · syringe A: ROPIVAcaine 0.5 % (5 mg/mL): 20 of 216 mg"
    " · 39.2 mL left to the maximum · inject at most 10 mL/min · aliquot pause 0:19"
)


def test_the_step_text_is_cut_after_each_clause_end_with_its_punctuation_and_no_word_changed() -> None:
    assert clauses(INJECTION) == [
        "Aspirate before each aliquot;",
        "inject incrementally;",
        "log each aliquot.",
    ]
    assert clauses(STOP) == [STOP]  # a colon joins its label to the clause: never "STOP:" alone
    # a decimal point or a ratio is not a clause end: only the punctuation before a space is
    cut = clauses("Give 0.5 mL at 1:200000 then wait. Watch.")
    assert cut == ["Give 0.5 mL at 1:200000 then wait.", "Watch."]
    for text in (INJECTION, STOP):
        assert " ".join(clauses(text)) == text


def test_the_detail_is_cut_at_its_separators_and_lines_into_facts() -> None:
    assert facts(DOSE) == [
        "1 aliquot, 4 mL given",
        "dose 9% of max",
        "syringe A: ROPIVAcaine 0.5 % (5 mg/mL): 20 of 216 mg",
        "39.2 mL left to the maximum",
        "inject at most 10 mL/min",
        "aliquot pause 0:19",
    ]
    lines = facts("a · b\n[!] over the maximum\nneedle 12 mm")
    assert lines == ["a", "b", "[!] over the maximum", "needle 12 mm"]


def test_items_come_in_order_of_importance_held_feedback_dose_acknowledged_then_the_instruction() -> None:
    items = column_items(INJECTION, DOSE, "aliquot 4 mL logged (touch)", "Held: consent", buttons=4)
    kinds = [it.kind for it in items]
    assert kinds == ["held", "toast"] + ["fact"] * 6 + ["clause"] * 3 + ["buttons"]
    assert items[-1].count == 4
    assert [it.text for it in items[2:4]] == ["dose 9% of max", "1 aliquot, 4 mL given"]  # the dose first
    warned = column_items(INJECTION, DOSE + "\n[!] over 80 % of the maximum", "")
    assert [it.text for it in warned[:2]] == ["[!] over 80 % of the maximum", "dose 9% of max"]
    acked = column_items(INJECTION, DOSE, "acknowledged: 4 mL given with no negative aspiration.")
    kinds = [it.kind for it in acked]
    assert kinds == ["fact"] * 6 + ["acknowledged"] + ["clause"] * 3
    assert acked[6].text == "acknowledged: 4 mL given with no negative aspiration."  # whole, not cut


@pytest.mark.parametrize(
    ("heights", "room", "cue", "start", "expected"),
    [
        ([10, 20, 30], 60, 15, 0, [[0, 1, 2]]),  # all fit: one page, no row
        ([10, 20, 30], 59, 15, 0, [[0, 1], [2]]),  # with the row: 15+10+20 = 45, then 15+30
        ([30, 100, 10, 10], 60, 15, 0, [[0], [1], [2, 3]]),  # one taller than the page: alone
        ([10, 10, 10, 10], 39, 15, 0, [[0, 1], [2, 3]]),  # 15+10+10 = 35, then the same
        ([10, 10, 10, 10], 39, 15, 1, [[0], [1, 2], [3]]),  # the page shown starts at item 1, filled
    ],
)
def test_pages_hold_every_item_once_in_order_and_fit_with_the_row(
    heights: list[float], room: float, cue: float, start: int, expected: list[list[int]]
) -> None:
    got = [list(r) for r in pages(heights, room, cue, start)]
    assert got == expected
    assert [i for r in got for i in r] == list(range(len(heights)))


@pytest.mark.parametrize("seed", range(40))
def test_a_page_is_closed_only_when_its_next_item_does_not_fit_on_it(seed: int) -> None:
    # the 10-inch injection's "log each aliquot." was alone on a page after one with room for it: here any
    # run of heights, checked by sums alone (every page but the last full: with its next item it would
    # not fit under the row)
    import random

    rnd = random.Random(seed)
    heights = [float(rnd.randint(20, 120)) for _ in range(rnd.randint(2, 14))]
    room, cue = float(rnd.randint(120, 400)), float(rnd.randint(20, 50))
    got = pages(heights, room, cue)
    assert [i for r in got for i in r] == list(range(len(heights)))
    for page in got[:-1]:
        used = cue + sum(heights[i] for i in page)
        assert used + heights[page.stop] > room + 0.5, (heights, room, cue, [list(r) for r in got])
        assert used <= room + 0.5 or len(page) == 1, (heights, room, cue, [list(r) for r in got])


@pytest.mark.parametrize(
    ("heights", "buttons", "room", "most", "expected"),
    [
        # a body of 123 px (its last gap's slack in), a page's rows at most 74 px (the header and the body
        # less a target): one 71 px row a page, an 18 px row and a 31 px clause above it (18 + 31 + 71 = 120)
        ([31, 71, 71, 71, 71], [0, 1, 1, 1, 1], 123, 74, [[0, 1], [2], [3], [4]]),
        # room for both rows (18 + 22 + 22 + 71 + 71 = 204 <= 250), not the rule (142 > 74)
        ([22, 22, 71, 71], [0, 0, 1, 1], 250, 74, [[0, 1, 2], [3]]),
        # two rows fit the room under the row (18 + 142 = 160 <= 170) but not the rule: the second alone
        ([71, 71], [1, 1], 170, 80, [[0], [1]]),
        ([71, 71], [1, 1], 150, 150, [[0, 1]]),  # both fit alone (142, no row) and keep the rule: one page
        ([90], [1], 119, 74, [[0]]),  # a row alone taller than the rule allows: alone, never lost
        ([90, 20], [1, 0], 150, 74, [[0], [1]]),  # and nothing after it on its page
    ],
)
def test_a_page_holds_no_more_rows_of_buttons_than_leave_its_tap_a_touch_target_high(
    heights: list[float], buttons: list[int], room: float, most: float, expected: list[list[int]]
) -> None:
    got = [list(r) for r in pages(heights, room, 18, 0, [bool(b) for b in buttons], most)]
    assert got == expected
    assert [i for r in got for i in r] == list(range(len(heights)))


def test_pages_are_never_none_even_where_the_rule_leaves_no_room_for_a_row() -> None:
    # a column shorter than a target (the header and the body less a target below 0): no items is one
    # empty page, and texts without buttons are pages as ever (the e2e's 10-inch walk: no page at all,
    # and the column's page index out of range)
    assert pages([], 10, 0, 0, [], -44) == [range(0)]
    assert pages([20], 100, 0, 0, [False], -44) == [range(1)]
    assert pages([20, 50], 60, 10, 0, [False, True], -44) == [range(1), range(1, 2)]


@pytest.mark.parametrize("seed", range(40))
def test_every_page_leaves_its_tap_a_target_high_and_closes_only_when_its_next_item_would_not(
    seed: int,
) -> None:
    # any run of texts and rows, checked by sums alone: every page's rows within the rule unless alone, and
    # a page but the last closed only because its next item does not fit it or would break the rule
    import random

    rnd = random.Random(seed)
    n = rnd.randint(2, 14)
    heights = [float(rnd.randint(20, 90)) for _ in range(n)]
    rows = [rnd.random() < 0.4 for _ in range(n)]
    room, cue, most = float(rnd.randint(120, 300)), float(rnd.randint(15, 30)), float(rnd.randint(60, 200))
    got = pages(heights, room, cue, 0, rows, most)
    assert [i for r in got for i in r] == list(range(n))
    for page in got:
        taken = sum(heights[i] for i in page if rows[i])
        alone = len(page) == 1 and rows[page.start]  # a row that alone breaks the rule: nothing beside it
        assert taken <= most + 0.5 or alone, (heights, rows, room, most, [list(r) for r in got])
    for page in got[:-1]:
        used = cue + sum(heights[i] for i in page)
        nxt = page.stop
        taken = sum(heights[i] for i in page if rows[i]) + (heights[nxt] if rows[nxt] else 0.0)
        assert used + heights[nxt] > room + 0.5 or taken > most + 0.5, (heights, rows, room, most)


def test_the_row_counts_the_texts_not_on_this_page_and_says_which_page() -> None:
    items = column_items(INJECTION, DOSE, "", buttons=4)  # 6 facts, 3 clauses, 4 buttons
    assert [t.replace("\u00a0", " ") for t in cue_texts(items, range(0, 3), 0, 4)] == [
        "+10 more · tap · 1 of 4",
        "+10 more · 1 of 4",
        "1 of 4 · +10",
    ]
    assert cue_texts(items, range(9, 10), 3, 4)[0] == "+9\u00a0more · tap · 4\u00a0of\u00a04"  # the buttons
    assert cue_texts(items, range(0, 11), 0, 1) == []


def test_the_header_says_which_page_only_while_the_column_pages_and_its_row_does_not() -> None:
    # one page: the step's progress alone, as on every other screen
    assert header_notes("step 2 of 5", 0, 1) == ["step 2 of 5"]
    # pages: longest first, each naming the page counted from 1, never split between lines
    notes = header_notes("step 1 of 1", 13, 16)
    assert notes == [
        "step 1 of 1 · page\u00a014\u00a0of\u00a016 · tap here",
        "page\u00a014\u00a0of\u00a016 · tap here",
        "page\u00a014\u00a0of\u00a016",
    ]
    assert header_notes("step 1 of 1", 0, 2)[-1] == "page\u00a01\u00a0of\u00a02"
    # a page whose "more" row says which page: the header says the progress, one "k of n" a page
    assert header_notes("step 1 of 1", 3, 5, row_counts=True) == ["step 1 of 1"]
    # a phase of one step has no progress (""): which page alone, never " · page 2 of 5"
    assert header_notes("", 1, 5) == ["page\u00a02\u00a0of\u00a05 · tap here", "page\u00a02\u00a0of\u00a05"]
    assert header_notes("", 0, 1) == [""]


def test_a_text_taller_than_the_body_is_cut_between_its_lines_into_marked_parts_no_word_changed() -> None:
    # the STOP's instruction laid out in five lines (written out by hand), cut after lines 2 and 4
    lines = [
        "STOP: operator and",
        "assistant both check",
        "the site mark and",
        "side immediately",
        "before the needle.",
    ]
    got = cut_tall(ColumnItem("clause", STOP), lines, [2, 4, 5])
    assert got == [
        ColumnItem("clause", "STOP: operator and assistant both check\u00a0(1/3)"),
        ColumnItem("clause", "the site mark and side immediately\u00a0(2/3)"),
        ColumnItem("clause", "before the needle.\u00a0(3/3)"),
    ]
    assert cut_tall(ColumnItem("fact", "dose 9% of max"), ["dose 9% of", "max"], [2]) == [
        ColumnItem("fact", "dose 9% of max")  # one part: not marked
    ]


def test_a_text_is_not_cut_when_its_lines_are_not_its_words_nor_the_steps_buttons() -> None:
    broken = ColumnItem("fact", "Dexamethasone 4 mg")
    assert cut_tall(broken, ["Dexametha", "sone 4 mg"], [1, 2]) == [broken]  # a word broken by the layout
    buttons = ColumnItem("buttons", "", 4)
    assert cut_tall(buttons, [], [0]) == [buttons]


@pytest.mark.parametrize(
    ("one_line", "expected"),
    [
        # the injection's - 1 mL, + 1 mL, Test dose, New needle: the volumes paired, the others alone
        ([True, True, False, False], [(0, 1), (2,), (3,)]),
        ([True, True, True, True], [(0, 1), (2, 3)]),  # Test dose beside New needle: both fit
        ([True, True, True, False], [(0, 1), (2,), (3,)]),  # only one of them fits: one a row
        ([False, True, True, False], [(0,), (1, 2), (3,)]),  # neighbours, whichever they are
        ([False, False, False, False], [(0,), (1,), (2,), (3,)]),  # 7 inches: none fits half a row
        ([True], [(0,)]),  # a button alone has no neighbour
        ([], []),
    ],
)
def test_buttons_share_a_row_only_with_a_neighbour_whose_label_also_fits_half_a_row_on_one_line(
    one_line: list[bool], expected: list[tuple[int, ...]]
) -> None:
    assert button_rows(one_line) == expected


def test_the_buttons_cut_in_rows_are_one_item_a_row_counted_as_its_buttons_each_button_once() -> None:
    grid = column_items(INJECTION, "", "", buttons=4)[-1]
    assert grid == ColumnItem("buttons", "", 4)  # the whole grid: no row
    assert cut_grid(grid, [(0, 1), (2,), (3,)]) == [
        ColumnItem("buttons", "", 2, (0, 1)),
        ColumnItem("buttons", "", 1, (2,)),
        ColumnItem("buttons", "", 1, (3,)),
    ]
    # rows that are not its buttons in order, once each: not cut
    for rows in (
        [(0, 1), (3,)],
        [(1, 0), (2,), (3,)],
        [(0, 1), (1, 2), (3,)],
        [(0, 1, 2, 3, 4)],
        [(0, 1), (), (2, 3)],
    ):
        assert cut_grid(grid, rows) == [grid], rows
    row = ColumnItem("buttons", "", 2, (0, 1))
    assert cut_grid(row, [(0,), (1,)]) == [row]  # a row is not cut again
    # the "more" row counts a row's buttons, one each
    items = column_items(INJECTION, "", "")[:3] + cut_grid(grid, [(0, 1), (2,), (3,)])
    assert cue_texts(items, range(3, 4), 1, 4)[0].startswith("+5\u00a0more")  # 3 clauses, 1 + 1 buttons


def _wrap(text: str, width: int) -> list[str] | None:
    """A text laid out greedily in lines of ``width`` characters (a monospace font), broken at plain spaces
    only; None when a word is wider than a line (the layout would break it)."""
    lines: list[str] = []
    for word in text.split(" "):
        if len(word) > width:
            return None
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _fits(width: int, rows: int) -> Callable[[str], bool]:
    """Whether a text laid out so (_wrap) fits ``rows`` lines, no word broken."""

    def fits(text: str) -> bool:
        lines = _wrap(text, width)
        return lines is not None and len(lines) <= rows

    return fits


def test_a_tall_text_with_no_break_spaces_is_cut_into_parts_that_fit_never_at_a_no_break_space() -> None:
    # the 7-inch syringe fact, each number joined to its unit (dose_panel.DrugLine.text), in a body of two
    # lines of 16 characters: "ROPIVAcaine (9/9)" is 17, wider than a line, where "ROPIVAcaine 0.5 % (9/9)"
    # fits in two; the parts written out by hand from that layout
    nb = "\u00a0"
    text = f"syringe A: ROPIVAcaine 0.5{nb}% (5{nb}mg/mL): 20 of 216{nb}mg"
    fits = _fits(16, 2)
    words = words_of(text)
    assert f"(5{nb}mg/mL):" in words and f"216{nb}mg" in words  # a no-break space joins, never cuts
    parts = cut_tall(ColumnItem("fact", text), words, part_ends(words, fits))
    assert [p.text for p in parts] == [
        f"syringe A:{nb}(1/3)",
        f"ROPIVAcaine 0.5{nb}%{nb}(2/3)",
        f"(5{nb}mg/mL): 20 of 216{nb}mg{nb}(3/3)",
    ]
    assert all(fits(p.text) for p in parts)  # each fits the body with its own mark
    unmarked = [re.sub(f"{nb}\\(\\d/3\\)$", "", p.text) for p in parts]
    assert " ".join(unmarked) == text  # rejoined, the text: no word lost, none split at a no-break space
    for unit in (f"0.5{nb}%", f"5{nb}mg/mL", f"216{nb}mg"):
        assert sum(unit in u for u in unmarked) == 1, unit  # each number with its unit, in one part


def test_a_text_whose_word_does_not_fit_with_a_mark_is_not_cut() -> None:
    assert part_ends(words_of("a Dexamethasone b"), _fits(12, 3)) == []  # "Dexamethasone" is 13
    assert part_ends(words_of("ab cd ef"), _fits(8, 1)) == [1, 2, 3]  # "ab cd (9/9)" is 11: a word a part
