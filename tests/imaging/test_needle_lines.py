"""The needle detector's line helpers against independent references (numpy's own fits, sorting,
hand-computed distances)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sonocart.imaging import needle, needle_tip
from sonocart.imaging.needle_buffers import Arena
from sonocart.imaging.needle_lines import (
    disc,
    line_and_bow,
    refine_lines,
    row_max,
    thick_regions,
    top_fraction_level,
)
from sonocart.imaging.needle_runs import longest_run, longest_runs
from sonocart.imaging.needle_scan import centreline_fits, seen_from_entry


@pytest.mark.parametrize("n", [10, 120, 900])
def test_line_and_bow_equal_numpy_polyfit(n: int) -> None:
    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(-300.0, 300.0, n))
    x -= x.mean()
    y = 1.5 + 0.02 * x + 3e-4 * x * x + rng.normal(0.0, 2.0, n)
    slope, intercept, curve = line_and_bow(x, y)
    assert (slope, intercept) == pytest.approx(tuple(np.polyfit(x, y, 1)), rel=1e-9, abs=1e-9)
    assert curve == pytest.approx(float(np.polyfit(x, y, 2)[0]), rel=1e-9, abs=1e-12)


def test_centreline_fits_are_each_runs_weighted_centres_straight_fit_as_numpy_polyfit_gives() -> None:
    """Random values across several lines at once, each with its own run: each bright sample's centre
    in its run computed here by a plain loop, then numpy's degree-1 fit of that line alone; dim
    samples (nothing above the floor), unlit ones and those outside the run left out; a line without
    a run, and one of 2 samples, give (0, 0)."""
    rng = np.random.default_rng(5)
    across = np.arange(-4.0, 5.0, 2.0)
    lines, n = 5, 60
    t = np.cumsum(rng.uniform(1.5, 2.5, (lines, n)), axis=1)
    values = rng.integers(-40, 120, (lines, n, across.size)).astype(np.int16)
    values[0, 7] = -50  # nothing above the floor
    values[2, :] += np.int16(3) * np.arange(n, dtype=np.int16)[:, None] // 10 * (across > 0)  # a slope
    bright = rng.uniform(size=(lines, n)) > 0.2
    floor = 30.0
    first = np.array([0, 5, 12, -1, 20], np.intp)
    last = np.array([59, 40, 57, -1, 21], np.intp)
    wobble, slope = centreline_fits(Arena(), values, across, t, bright, floor, (first, last))
    for k in range(lines):
        xs, ys = [], []
        for i in range(first[k], last[k] + 1 if first[k] >= 0 else 0):
            w = [max(float(x) - floor, 0.0) for x in values[k, i]]
            if bright[k, i] and sum(w) > 0:
                xs.append(t[k, i])
                ys.append(sum(wi * a for wi, a in zip(w, across, strict=True)) / sum(w))
        if len(xs) < 3:
            assert (wobble[k], slope[k]) == (0.0, 0.0)
            continue
        b, a = np.polyfit(xs, ys, 1)
        rms = math.sqrt(np.mean((np.array(ys) - (a + b * np.array(xs))) ** 2))
        assert (wobble[k], slope[k]) == pytest.approx((rms, b), rel=1e-9, abs=1e-12)
    assert (first[3], last[4] - first[4]) == (-1, 1)  # (the cases of (0, 0) are there)


def test_refined_lines_follow_weighted_points_and_skip_thin_support() -> None:
    """Points on a 30° line (hand-computed) and a far cluster: the fit ignores both it and the Hough error."""
    t = np.arange(0.0, 200.0, 4.0)
    a = math.radians(30.0)
    u = np.concatenate([50.0 + t * math.cos(a), np.full(20, 400.0)]).astype(np.float32)
    v = np.concatenate([20.0 + t * math.sin(a), np.full(20, 30.0)]).astype(np.float32)
    w = np.ones(u.size, np.float32)
    rho = -50.0 * math.sin(a) + 20.0 * math.cos(a)  # the normal (−sin a, cos a) through (50, 20)
    fitted = refine_lines(u, v, w, [(a + math.radians(1.0), rho + 2.0), (math.radians(60.0), -900.0)])
    first = fitted[0]
    assert first is not None
    assert math.degrees(first[0]) == pytest.approx(30.0, abs=1e-3)
    assert first[1] == pytest.approx(rho, abs=1e-3)
    assert fitted[1] is None  # no candidate within 4 px of that line


@pytest.mark.parametrize("floor", [0.0, 40.0, 239.5, 250.0])
def test_top_fraction_level_is_the_lowest_level_few_enough_values_reach_or_the_floor(floor: float) -> None:
    rng = np.random.default_rng(3)
    excess = rng.integers(-255, 256, (300, 400)).astype(np.int16)
    level = top_fraction_level(excess, excess.size, 0.03, floor)
    ascending = np.sort(excess.ravel())
    reaching = [ascending.size - int(np.searchsorted(ascending, k)) for k in range(-255, 257)]
    expected = next(k for k, n in zip(range(-255, 257), reaching, strict=True) if n <= 0.03 * excess.size)
    assert expected > 40  # (the 97th percentile of uniform −255..255: the floor of 40 is not reached)
    assert level == max(expected, floor)
    with pytest.raises(ValueError):
        top_fraction_level(excess, excess.size, 0.03, -1.0)


def test_longest_run_bridges_short_gaps_only() -> None:
    mask = np.array([1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], bool)
    assert longest_run(mask, 1) == (9, 15)
    assert longest_run(mask, 3) == (0, 15)
    assert longest_run(np.zeros(5, bool), 2) is None
    assert longest_run(np.array([0, 1, 0, 1, 0, 1, 0], bool), 1) == (1, 5)  # short gaps, 2 in all
    assert longest_run(np.array([1, 0, 0, 1, 1, 1, 1], bool), 1) == (3, 6)


def _longest_run_by_hand(row: list[bool], max_gap: int) -> tuple[int, int] | None:
    """A plain loop: runs of True split where more than ``max_gap`` False lie between two True."""
    best: tuple[int, int] | None = None
    start = previous = -1
    for i, lit in enumerate([*row, False]):
        if lit or i == len(row):
            if lit and start >= 0 and i - previous - 1 <= max_gap:
                previous = i
                continue
            if start >= 0 and (best is None or previous - start > best[1] - best[0]):
                best = (start, previous)
            start = previous = i
    return best


@pytest.mark.parametrize("max_gap", [0, 1, 4, 11])
def test_longest_runs_of_many_rows_are_each_rows_own_by_a_plain_loop(max_gap: int) -> None:
    """Every row of random masks (densities 5–95 %, an empty row, runs at both ends) at once, against a
    loop over each row — and what longest_run gives on the row alone."""
    rng = np.random.default_rng(max_gap)
    work = Arena()
    for trial in range(60):
        rows, n = int(rng.integers(1, 12)), int(rng.integers(1, 300))
        lit = rng.uniform(size=(rows, n)) < rng.uniform(0.05, 0.95)
        lit[0] = False if trial % 3 == 0 else lit[0]
        first, last = longest_runs(work, lit, max_gap)
        for r in range(rows):
            expected = _longest_run_by_hand([bool(x) for x in lit[r]], max_gap)
            got = None if first[r] < 0 else (int(first[r]), int(last[r]))
            assert got == expected, (trial, r)
            assert longest_run(np.ascontiguousarray(lit[r]), max_gap) == expected
    mask = np.array([[1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], [0] * 16], bool)
    assert [list(a) for a in longest_runs(work, mask, 1)] == [[9, -1], [15, -1]]


@pytest.mark.parametrize("density", [0.05, 0.6, 0.97])
def test_thick_regions_are_the_discs_opening_whether_or_not_one_fits(density: float) -> None:
    """Sparse speckle (nothing fits: the rectangle test answers), a middling and a dense mask (the
    opening runs): the same as a scipy-free plain opening, a disc slid over every pixel by hand."""
    rng = np.random.default_rng(round(density * 100))
    mask = (rng.uniform(size=(40, 50)) < density).astype(np.uint8)
    d = 5
    offsets = [(i - d // 2, j - d // 2) for i in range(d) for j in range(d) if disc(d)[i, j]]
    padded = np.pad(mask, d, constant_values=1)  # (an erosion treats outside the image as inside)
    eroded = np.ones_like(mask)
    for di, dj in offsets:
        eroded &= padded[d + di : d + di + 40, d + dj : d + dj + 50]
    padded = np.pad(eroded, d, constant_values=0)
    opened = np.zeros_like(mask)
    for di, dj in offsets:
        opened |= padded[d - di : d - di + 40, d - dj : d - dj + 50]
    assert np.array_equal(thick_regions(mask, float(d)), opened)
    assert opened.any() == (density > 0.9)


@pytest.mark.parametrize("diameter_px", [5.0, 12.0])  # both the direct and the every-other-pixel path
def test_thick_regions_keep_a_blob_and_drop_a_thin_line(diameter_px: float) -> None:
    """A hand-painted disc twice the diameter survives the opening; a 2-pixel diagonal line does not."""
    mask = np.zeros((200, 300), np.uint8)
    yy, xx = np.mgrid[0:200, 0:300]
    mask[(yy - 100) ** 2 + (xx - 220) ** 2 <= diameter_px**2] = 1  # radius = diameter
    for k in range(150):
        mask[20 + k // 2 : 22 + k // 2, 10 + k] = 1  # about 26° down to the right, 2 px thick
    thick = thick_regions(mask, diameter_px)
    assert thick[100, 220] == 1 and thick[100, 220 + round(diameter_px / 2)] == 1
    assert not thick[:, :170].any()


def test_entry_check_for_many_runs_matches_the_distance_to_a_rectangles_edge() -> None:
    """Runs inside a rectangular searched region, traced back up their lines: seen from the entry
    exactly when the way back to the rectangle's edge (hand-computed: the nearer of the two edges the
    backward ray meets) is within the limit."""
    search = np.zeros((300, 400), np.bool_)
    search[50:250, 40:360] = True  # rows 50–249, columns 40–359
    ends = [
        (100.0, 60.0, math.radians(45.0)),  # 10 rows below the top edge: ~14 px back along 45°
        (200.0, 200.0, math.radians(30.0)),  # deep inside: 150 rows / sin 30° = 300 px back
        (50.0, 200.0, math.radians(150.0)),  # from the right: back up 150 rows to the top, 300 px
        (355.0, 240.0, math.radians(150.0)),  # 5 columns from the right edge: ~6 px back
    ]
    limit_px = 20.0
    seen = seen_from_entry(Arena(), search, ends, limit_px)
    for (u, v, a), answer in zip(ends, seen, strict=True):
        du, dv = math.cos(a), math.sin(a)
        back_rows = (v - 49.5) / dv  # to the row above the top one
        back_cols = (u - 39.5) / du if du > 0 else (359.5 - u) / -du  # to the column beside it
        assert answer == (min(back_rows, back_cols) <= limit_px + 1.0), (u, v, a)
    assert seen == [True, False, False, True]


@pytest.mark.parametrize("window", [3, 4, 15])
def test_tip_density_counts_the_lit_samples_of_each_centred_window(window: int) -> None:
    """numpy's own 'same' convolution with a box of ones counts them (whole numbers, exact)."""
    rng = np.random.default_rng(window)
    lit = rng.uniform(size=200) > 0.4
    counts = np.convolve(lit.astype(np.float64), np.ones(window), mode="same")
    expected = counts >= needle_tip.TIP_DENSITY * window - 1e-9
    assert np.array_equal(needle_tip._dense(Arena(), lit, window), expected)


@pytest.mark.parametrize("width", [1, 3, 19])
def test_row_max_is_numpys_largest_of_each_row(width: int) -> None:
    values = np.random.default_rng(width).normal(0.0, 50.0, (301, width))
    assert np.array_equal(row_max(values, np.empty(301)), values.max(axis=1))


@pytest.mark.parametrize("shape", [(600, 800), (7, 10), (7, 9)])  # even rows read as pairs; odd: a copy
def test_every_other_pixel_is_the_strided_slice(shape: tuple[int, int]) -> None:
    image = np.random.default_rng(shape[1]).integers(0, 256, shape).astype(np.uint8)
    out = np.full(((shape[0] + 1) // 2, (shape[1] + 1) // 2), -1, np.int16)
    needle._every_other_pixel(image, out)
    assert np.array_equal(out, image[::2, ::2].astype(np.int16))
