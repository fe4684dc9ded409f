"""Counts on screen are said as the team says them, the same on every screen (viewmodels/wording.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sonocart_ui.viewmodels.summary import summary_lines
from sonocart_ui.viewmodels.wording import counted, given_words
from tests.ui.vm_fixtures import started


@pytest.mark.parametrize(
    ("n", "none", "said"),
    [(0, "", "0 images"), (1, "", "1 image"), (2, "", "2 images"), (0, "no images", "no images")],
)
def test_a_count_is_said_in_words_with_its_plural(n: int, none: str, said: str) -> None:
    assert counted(n, "image", none=none) == said


def test_the_dose_given_reads_alone_with_its_volume() -> None:
    assert given_words(1, 4.0) == "1 aliquot, 4 mL given"
    assert given_words(3, 12.5) == "3 aliquots, 12.5 mL given"


def test_the_summary_says_the_dose_and_the_counts_in_words(tmp_path: Path) -> None:
    session, _form = started(tmp_path)
    lines = summary_lines(session)
    assert "0 aliquots, 0 mL given · dose 0% of max" in lines
    assert "no images captured · no outcomes recorded · no notes" in lines
