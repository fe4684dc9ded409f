"""Is there a needle shaft along one of the vote's lines: the lines sampled together at half resolution.

The candidate lines (angle, rho) from the vote are refitted to their candidates and sampled in
passes, strongest first, in display pixels of the scan-converted image:

* extent: each line's longest bright run (gaps under 2 mm bridged) on the half-resolution excess
  (the lines sampled together, :mod:`~sonocart.imaging.needle_scan`), at least 8 mm long;
* entry: traced back up from its upper end, the line leaves the searched region within 10 mm (an
  in-plane shaft is visible from the edge of the field of view);
* cheapest rejection first: a run whose centreline on those half-resolution samples is already far
  from straight or points outside the insertion angles is not read again at full resolution;
* each run left is judged at full resolution, in order (:mod:`~sonocart.imaging.needle_judge`):
  the first that passes is the estimate.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from sonocart.imaging.needle_judge import (
    ENTRY_GAP_MM,
    GAP_MM,
    MAX_WOBBLE_MM,
    MIN_LENGTH_MM,
    STRAIGHT_LENGTH_MM,
    NeedleEstimate,
    ShaftFrame,
    in_plane_angle,
    judge_run,
)
from sonocart.imaging.needle_lines import refine_lines
from sonocart.imaging.needle_runs import longest_runs
from sonocart.imaging.needle_scan import centreline_fits, scan_lines, seen_from_entry

BAND_MM = 0.6
#: cheapest rejection first: a run whose centreline on the half-resolution excess wobbles by more
#: than this many times the straightness bound, or points more than HALF_ANGLE_SLACK_DEG outside the
#: insertion angles, is not read at full resolution. On the matrix's 420 frames and the bench's 48,
#: the 86 lines that pass every check are at most 1.40 times the bound there, and within the angles
#: (their half-resolution angle 0.64° at most from the full-resolution one); the wobble alone cuts
#: 710 of the 1,339 lines that fail a later check (2.0: 307). Estimates unchanged on those frames; on
#: 288 more needle frames (seeds 12, 13 at 2, 3, 4 s) the 169 good estimates are unchanged and one
#: wrong one (femoral phased 60°) is gone (2.0: all 288 unchanged). It cannot add a false needle: it
#: only removes lines. Round 13 (the full-resolution bound over 95 % of the steps): 1.55, which lets
#: caudal phased 35° at 2.5 s through (1.5: not); on the bench's sets 0.12 more lines a frame are judged
#: at full resolution on convex without a needle and 0.5 on phased short (1.6: 0.75 and 0.5; the same
#: 5 % trim at half resolution too, which also gains muscle phased 40°: 1.1 and 1.6, over the 5 %
#: speed budget by callgrind).
HALF_WOBBLE = 1.55
HALF_ANGLE_SLACK_DEG = 1.5
#: the lines are sampled in passes of these many, strongest first: the needle, when there is one, is
#: most often among the first three (a pass of all 12 costs more than it saves then; one pass per
#: line costs more when all 12 are tried, as on a frame without a needle).
LINE_GROUPS = (3, 9)


def find_shaft(
    frame: ShaftFrame,
    peaks: list[tuple[float, float]],
    candidates: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> NeedleEstimate | None:
    """The shaft along the first of the vote's ``peaks`` (angle, rho), each refitted to the
    ``candidates`` (u, v, weight) near it, whose longest bright run passes every check, else ``None``.

    The runs are found on the half-resolution excess (every other pixel along and across
    each line: most lines end there), :data:`LINE_GROUPS` lines at a time in one pass; the
    centreline, the contrast and the tip of a run read the full-resolution image. Each pass's
    lines are refitted just before it (a line's fit is its own: the passes never reached cost nothing)."""
    u, v, weights = candidates

    def refined(group: list[tuple[float, float]]) -> list[tuple[float, float] | None]:
        return refine_lines(u, v, weights, group, frame.work)

    start = 0
    for size in LINE_GROUPS:
        found = _first_shaft(frame, refined(peaks[start : start + size]))
        if found is not None:
            return found
        start += size
    return _first_shaft(frame, refined(peaks[start:])) if start < len(peaks) else None


def _first_shaft(frame: ShaftFrame, lines: list[tuple[float, float] | None]) -> NeedleEstimate | None:
    """:func:`find_shaft` for one pass: ``lines`` sampled together, then their runs judged in order."""
    cal = frame.cal
    assert cal is not None
    band = max(2, round(BAND_MM / cal.mm_per_px))
    # (a line steeper or flatter than any insertion is not sampled)
    judged = [
        line if line is not None and in_plane_angle(math.degrees(line[0]), 2.0) else None for line in lines
    ]
    half = _every_other_offset(band)  # every other offset across
    scan = scan_lines(
        frame.work, judged, frame.small_excess, (frame.image.shape[0], frame.image.shape[1]), half
    )
    if scan is None:
        return None
    t_all, u_all, v_all, profile, first, count, values, inside_all = scan
    # (integer levels: p ≥ x exactly when p ≥ ⌈x⌉, and an int16 bound needs no cast buffers)
    bright_all = np.greater_equal(
        profile,
        np.int16(math.ceil(frame.threshold * 0.7)),
        out=frame.work.grab("scan:bright", profile.shape, np.bool_),
    )
    gap = round(GAP_MM / cal.mm_per_px / 2.0)
    # each line's longest bright run inside the image (one stretch per line), all lines at once
    run_first, run_last = longest_runs(
        frame.work, np.logical_and(bright_all, inside_all, out=inside_all), gap
    )
    runs: list[tuple[tuple[float, float], slice, tuple[int, int], int]] = []
    for k, line in enumerate(judged):
        if line is None or count[k] < 4 or run_first[k] < 0:
            continue
        inside = slice(int(first[k]), int(first[k] + count[k]))
        t = t_all[k, inside]
        run = (int(run_first[k]) - inside.start, int(run_last[k]) - inside.start)
        if (t[run[1]] - t[run[0]]) * cal.mm_per_px < MIN_LENGTH_MM:
            continue
        runs.append(
            (line, slice(k * t_all.shape[1] + inside.start, k * t_all.shape[1] + inside.stop), run, k)
        )
    if not runs:
        return None
    # in plane, a shaft is seen from where it enters the field of view: traced back up from its
    # upper end, the line must leave the searched region within ENTRY_GAP_MM (a reflector that
    # starts deep inside the image with nothing on its way up is tissue, not a needle)
    t_flat, u_flat, v_flat = t_all.ravel(), u_all.ravel(), v_all.ravel()
    ends = [
        (float(u_flat[at.start + i0]), float(v_flat[at.start + i0]), line[0]) for line, at, (i0, _), _ in runs
    ]
    entered = seen_from_entry(frame.work, frame.search, ends, ENTRY_GAP_MM / cal.mm_per_px)
    # cheapest rejection first: a run whose half-resolution centreline is far from straight (a
    # fascia arc, a bone surface) or points outside the insertion angles is not read again at full
    # resolution — the centrelines of every run seen from an entry fitted at once
    fit_first = frame.work.grab("shaft:fit_first", (len(judged),), np.intp)
    fit_last = frame.work.grab("shaft:fit_last", (len(judged),), np.intp)
    fit_first.fill(-1)
    fit_last.fill(-1)
    for (_, _, _, k), seen in zip(runs, entered, strict=True):
        if seen:
            fit_first[k], fit_last[k] = run_first[k], run_last[k]
    if not any(entered):
        return None
    wobble, slope = centreline_fits(
        frame.work, values, half, t_all, bright_all, 0.5 * frame.threshold, (fit_first, fit_last)
    )
    gated = []
    for (line, at, run, k), seen in zip(runs, entered, strict=True):
        if not seen:
            continue
        length_mm = (t_all[k, run_last[k]] - t_all[k, run_first[k]]) * cal.mm_per_px
        bound_mm = MAX_WOBBLE_MM * min(length_mm / STRAIGHT_LENGTH_MM, 1.0)
        deg = math.degrees(line[0] + math.atan(float(slope[k])))
        if float(wobble[k]) * cal.mm_per_px <= HALF_WOBBLE * bound_mm and in_plane_angle(
            deg, HALF_ANGLE_SLACK_DEG
        ):
            gated.append((line, at, run))
    # (what only the half-resolution checks read is let go before the runs are judged at full
    # resolution: some 20 array views and lists, which would otherwise add to the frame's peak)
    del wobble, slope, fit_first, fit_last, scan, profile, first, count, values, inside_all
    del bright_all, run_first, run_last, t_all, u_all, v_all, half, runs, ends, entered, judged
    for line, at, run in gated:
        found = judge_run(frame, line, (t_flat[at], u_flat[at], v_flat[at]), run, band)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=8)
def _every_other_offset(band: int) -> np.ndarray:
    """Every other offset across a band of ``band`` pixels either side, in full-resolution pixels
    (float64, read-only: made once per band, not on every pass)."""
    half = np.arange(-((band + 1) // 2), (band + 1) // 2 + 1) * 2.0
    half.setflags(write=False)
    return half
