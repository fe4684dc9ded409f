"""The caliper readout's words (viewmodels/live.caliper_text), without a window: the expected strings are
written out by hand."""

from __future__ import annotations

import pytest

from sonocart_ui.viewmodels.live import caliper_text


@pytest.mark.parametrize(
    ("mm", "shown"),
    [
        (None, ""),  # fewer than two points: no readout at all (its label then takes no room)
        (12.34, "caliper 12.3 mm"),
        (12.35, "caliper 12.3 mm"),  # 12.35 is 12.3499... in binary: never "12.4" by a rounding rule
        (0.0, "caliper 0.0 mm"),  # two points on one pixel: a measurement, not an absent one
        (105.06, "caliper 105.1 mm"),
    ],
)
def test_the_caliper_readout_says_the_distance_to_a_tenth_of_a_millimetre_or_nothing(
    mm: float | None, shown: str
) -> None:
    assert caliper_text(mm) == shown
