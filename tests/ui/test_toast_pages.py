"""The toast's pages without a window: whole laid-out lines two at a time, each marked, and the page
timer (when the next page is due, when the toast is gone) on a hand clock."""

from __future__ import annotations

import pytest

from sonocart_ui.bars import TOAST_S, toast_left, toast_pages


def test_a_message_that_fits_is_one_page_without_a_mark() -> None:
    assert toast_pages(["one line"], 2) == ["one line"]
    assert toast_pages(["first", "second"], 2) == ["first\nsecond"]


def test_a_longer_message_is_pages_of_whole_lines_each_marked_i_of_n() -> None:
    lines = ["a b", "c d", "e f", "g", "h"]
    assert toast_pages(lines, 2) == ["a b\nc d (1/3)", "e f\ng (2/3)", "h (3/3)"]


@pytest.mark.parametrize(
    ("age", "pages", "left"),
    [
        (0.0, 1, TOAST_S),
        (TOAST_S - 0.2, 1, 0.2),  # fired early: what is left of its one page
        (TOAST_S, 1, 0.0),
        (TOAST_S - 0.2, 3, 0.2),  # page 2 due in 0.2 s
        (TOAST_S + 1.0, 3, TOAST_S - 1.0),  # on page 2: page 3 due
        (3 * TOAST_S - 0.5, 3, 0.5),
        (3 * TOAST_S, 3, 0.0),  # the last page has had its seconds: gone
    ],
)
def test_the_page_timer_waits_for_the_next_page_then_for_the_end(age: float, pages: int, left: float) -> None:
    assert toast_left(10.0, 10.0 + age, pages) == pytest.approx(left)
    assert toast_left(None, 10.0 + age, pages) == 0.0
