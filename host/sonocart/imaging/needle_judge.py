"""Is a half-resolution run along a candidate line a needle shaft: the full-resolution judgement.

:mod:`~sonocart.imaging.needle_shaft` finds each line's longest bright run on the half-resolution
excess and turns away what is cheaply seen not to be a shaft; each run left is judged here, on the
full-resolution image, in display pixels:

* extent: the run again at full resolution (gaps under 2 mm bridged), within the half-resolution one,
  its upper end seen from where the line enters the searched region (an in-plane shaft is visible
  from the edge of the field of view);
* shape: the run is continuous and straight (its intensity-weighted centreline's residual and its
  bow from the chord, which a fascia arc or bone surface has) — if not, once more up to where the
  shaft's own grey level ends (a short needle's band picks up echoes beyond its tip);
* context: tissue of similar level on both sides (not a vessel or cyst wall), no acoustic shadow
  below (bone);
* tip: the end of the dense run along the fitted centreline at half the shaft's own median level,
  moved back to the half maximum (−6 dB) of the tip's own echo (:mod:`~sonocart.imaging.needle_tip`);
* the tip is an end: no ridge at the shaft's own level goes on from it in a bent direction
  (:mod:`~sonocart.imaging.needle_end`; a fascia that follows the face turns into its layer there) —
  asked first of the run's own lower end, before the tip search (every layer stopped by it on the
  1,140 frames of :mod:`tools.bench.needle_identity` is stopped there), then of the tip (without the
  second, 2 false needles in the 648 extra needle-free frames);
* confidence from the run's length and its contrast against the tissue beside it (in grey levels, so in dB).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.needle_buffers import NeedleBuffers
from sonocart.imaging.needle_end import goes_on_bent
from sonocart.imaging.needle_lines import Excess, hidden_run_mm, line_and_bow, row_max
from sonocart.imaging.needle_runs import longest_run
from sonocart.imaging.needle_shadow import is_shadow, side_mean
from sonocart.imaging.needle_tip import TIP_GAP_MM, own_level_end, shaft_ends
from sonocart.imaging.scanconvert import Calibration

cv2: Any = _cv2

MIN_ANGLE_DEG = 12.0
MAX_ANGLE_DEG = 80.0
MIN_LENGTH_MM = 8.0
FULL_LENGTH_MM = 12.0
GAP_MM = 2.0
#: a shaft is continuous (bright over this fraction of its run) and straight (centreline RMS).
MIN_FILL = 0.7
#: the weighted centreline departs from its fitted line by at most this (RMS).
MAX_WOBBLE_MM = 0.15
#: … scaled down in proportion for runs shorter than this.
STRAIGHT_LENGTH_MM = 15.0
#: … over all but this fraction of its steps, those furthest from the line: where a layer (a fascia,
#: the nerve's outline) crosses a shaft, the band's weighted centre is pulled towards it for a few
#: steps. Measured on the matrix (seed 11) and its needle-free frames (seeds 4–12), with the
#: half-resolution gate at 1.55x: 0.05 keeps 0 false needles in 972 frames; 0.1 and 0.2 let 6 through
#: (knee phased fascia, femoral linear septa); 0.03 loses caudal phased 35° again.
WOBBLE_TRIM = 0.05
#: … and bows from its chord by at most this much over its run (a needle is straight).
MAX_SAGITTA_MM = 0.4
#: the shaft's visible upper end lies within this of where its line enters the searched region.
ENTRY_GAP_MM = 10.0
#: a shaft lies in tissue: the strips either side of it are within this ratio of each other.
EDGE_RATIO = 0.58
#: the contrast part of the confidence: how many grey levels the shaft's mean stands above the tissue
#: beside it, from no confidence at the first to full at the second. Grey levels are logarithmic, so a
#: difference is a ratio of echo amplitudes (at the default 60 dB range, 20 levels ≈ 4.7 dB, 80 ≈ 19 dB),
#: whatever the tissue's own level. (A ratio of grey levels, 1.2 → 1.8, the same ramp at a tissue level
#: of 100, could not reach 0.5 over bright tissue: a shaft in the knee's quadriceps tendon on the phased
#: probe, beside grey 160–180, is capped by the 255 ceiling at 1.31–1.42.)
CONTRAST_LEVELS = (20.0, 80.0)


@dataclass(frozen=True)
class NeedleEstimate:
    trajectory: tuple[tuple[float, float], tuple[float, float]]  # (entry, tip), mm (x, z)
    tip_mm: tuple[float, float]
    angle_deg: float
    confidence: float  # 0..1
    length_mm: float

    def trajectory_px(self, cal: Calibration) -> tuple[tuple[float, float], tuple[float, float]]:
        return cal.to_px(*self.trajectory[0]), cal.to_px(*self.trajectory[1])


class ShaftFrame:
    """What every line of one frame is judged on; the detector refills it each frame (no allocation)."""

    def __init__(self, work: NeedleBuffers) -> None:
        self.work = work
        self.image = np.zeros((1, 1), np.uint8)
        self.small_excess = np.zeros((1, 1), np.int16)
        self.row_level = np.zeros(1, np.float64)
        self.level = np.zeros((1, 1), np.float32)
        self.search = np.zeros((1, 1), np.bool_)
        self.cal: Calibration | None = None
        self.threshold = 0.0
        self.min_confidence = 0.5


def in_plane_angle(deg: float, slack: float = 0.0) -> bool:
    """Whether ``deg`` is an insertion angle the detector looks for (± ``slack``)."""
    lo, hi = MIN_ANGLE_DEG - slack, MAX_ANGLE_DEG + slack
    return lo <= deg <= hi or 180.0 - hi <= deg <= 180.0 - lo


def judge_run(
    frame: ShaftFrame,
    line: tuple[float, float],
    samples: tuple[np.ndarray, np.ndarray, np.ndarray],
    run: tuple[int, int],
    band: int,
) -> NeedleEstimate | None:
    """The shaft in the half-resolution run ``run`` of the line's ``samples`` (t, u, v), or ``None``
    (the run's upper end is known to be seen from where the line enters the view)."""
    work, cal, image, search, threshold = frame.work, frame.cal, frame.image, frame.search, frame.threshold
    assert cal is not None
    angle, rho = line
    du, dv = math.cos(angle), math.sin(angle)
    nu, nv = -dv, du
    pu, pv = rho * nu, rho * nv
    h, w = image.shape
    t, uu, vv = samples
    i0, i1 = run
    step = 2.0
    # the run again at full resolution, within the half-resolution one (which a few brighter
    # half-resolution pixels of tissue beside a shaft can lengthen), its upper end seen from where
    # the line enters the view as the half-resolution one's was (checked by the caller)
    offsets = _band_offsets(band)
    seg = slice(i0, i1 + 1)
    flat, rows = work.band_pixels("full", (uu[seg], vv[seg]), offsets, (nu, nv), 1.0, (h, w))
    excess = Excess(image, frame.row_level, search, work, frame.level, work.half_index)
    full = excess.at("full", flat, rows)
    grey = work.grab("full:grey", flat.shape, np.uint8)  # (the grey levels it read there)
    peak = row_max(full, work.grab("full:max", (full.shape[0],), np.float64))
    bright = np.greater_equal(peak, threshold * 0.7, out=work.grab("full:bright", peak.shape, np.bool_))
    found = longest_run(bright, round(GAP_MM / cal.mm_per_px / step), work)
    if found is None:
        return None
    j0, j1 = found
    i0, i1 = i0 + j0, i0 + j1
    length_mm = (t[i1] - t[i0]) * cal.mm_per_px
    if length_mm < MIN_LENGTH_MM:
        return None
    # (from the half-resolution run's own upper end the caller traced the line back already: within
    # ENTRY_GAP_MM / mm_per_px steps, which keeps it within ENTRY_GAP_MM unless that is a whole number)
    entry_px = ENTRY_GAP_MM / cal.mm_per_px
    traced = j0 == 0 and not entry_px.is_integer()
    if (
        not traced
        and hidden_run_mm(search, float(uu[i0]), float(vv[i0]), (du, dv), cal, ENTRY_GAP_MM, work)
        > ENTRY_GAP_MM
    ):
        return None
    fit = _straight_centreline(work, (full, bright), t, (i0, i1), j0, (offsets, threshold, cal.mm_per_px))
    if fit is None:
        return None  # not a continuous reflector (speckle, septa)
    slope, intercept, straight = fit
    if not straight:
        # a shaft whose run goes on past its tip through bright tissue (the line's band picks up
        # echoes beyond a short needle) is straight only up to its tip: judged again up to where
        # its own grey level ends (the tip's 6 dB drop, bridging the tip search's gaps), once
        end = own_level_end(work, grey[j0 : j1 + 1], round(TIP_GAP_MM / cal.mm_per_px / step))
        if end is None or (t[i0 + end] - t[i0]) * cal.mm_per_px < MIN_LENGTH_MM:
            return None
        i1, j1 = i0 + end, j0 + end
        length_mm = (t[i1] - t[i0]) * cal.mm_per_px
        fit = _straight_centreline(work, (full, bright), t, (i0, i1), j0, (offsets, threshold, cal.mm_per_px))
        if fit is None or not fit[2]:
            return None  # not a straight reflector (vessel walls, fascia arcs, bone)
        slope, intercept, _ = fit
    seg = slice(i0, i1 + 1)
    flat, full, bright, grey = flat[j0 : j1 + 1], full[j0 : j1 + 1], bright[j0 : j1 + 1], grey[j0 : j1 + 1]
    deg = math.degrees(angle + math.atan(float(slope)))
    if not in_plane_angle(deg):
        return None  # flatter than any in-plane needle: a layer
    shaft = row_max(grey, work.grab("shaft:max", (flat.shape[0],), np.uint8))
    side = round(2.5 / cal.mm_per_px)
    seg_u, seg_v = uu[seg], vv[seg]
    beside = side_mean(image, search, (seg_u, seg_v), (nu, nv), -side, work)
    under = side_mean(image, search, (seg_u, seg_v), (nu, nv), side, work)
    if beside != beside or under != under:  # not in view on both sides: cannot be judged
        return None
    if min(beside, under) < EDGE_RATIO * max(beside, under, 1.0):
        return None  # dark on one side, tissue on the other: the wall of a vessel or cyst, not a shaft
    # (np.mean of the grey levels: their sum, a whole number, is exact in any order)
    shaft_grey = float(shaft.sum()) / shaft.size
    low, high = CONTRAST_LEVELS
    contrast = (shaft_grey - beside - low) / (high - low)
    confidence = min(length_mm / FULL_LENGTH_MM, 1.0) * min(max(contrast, 0.0), 1.0)
    if is_shadow(beside, under):
        confidence = 0.0  # bone does that, a needle does not
    if confidence < frame.min_confidence:
        return None
    # cheapest first: a layer that bends on from the run's own lower end (a fascia along a convex
    # face) is turned away before the tip search
    c0, c1 = intercept + slope * float(t[i0]), intercept + slope * float(t[i1])
    a = cal.to_mm(pu + float(t[i0]) * du + c0 * nu, pv + float(t[i0]) * dv + c0 * nv)
    b = cal.to_mm(pu + float(t[i1]) * du + c1 * nu, pv + float(t[i1]) * dv + c1 * nv)
    run_ends = (b, a) if b[1] >= a[1] else (a, b)
    span, ends = (float(t[0]), float(t[-1])), (float(t[i0]), float(t[i1]))
    # (the run's arrays let go before its ends are traced, where the frame's peak is: some 15 views)
    del samples, t, uu, vv, offsets, flat, rows, excess, full, grey, peak, bright, shaft, seg_u, seg_v
    if goes_on_bent(frame.image, frame.search, frame.level, frame.threshold, cal, work, run_ends, shaft_grey):
        return None
    tip, entry = shaft_ends(frame, (pu, pv), (du, dv), (nu, nv), span, ends, (intercept, slope))
    if goes_on_bent(
        frame.image, frame.search, frame.level, frame.threshold, cal, work, (tip, entry), shaft_grey
    ):
        return None  # a layer that curves on past the "tip" (a fascia along the face), not a shaft
    return NeedleEstimate((entry, tip), tip, deg, round(confidence, 3), length_mm)


def _straight_centreline(
    work: NeedleBuffers,
    band: tuple[np.ndarray, np.ndarray],
    t: np.ndarray,
    ends: tuple[int, int],
    j0: int,
    scale: tuple[np.ndarray, float, float],
) -> tuple[float, float, bool] | None:
    """(slope, intercept, straight) of the intensity-weighted centreline of the run ``ends`` (indices
    into ``t``; ``j0`` the run's first row in the full-resolution ``band`` = (excess, bright)), or
    ``None`` where it is not continuous (bright over less than :data:`MIN_FILL` of it). Straight:
    within the wobble and sagitta bounds."""
    full_all, bright_all = band
    offsets, threshold, mm_per_px = scale
    i0, i1 = ends
    rows = slice(j0, j0 + i1 - i0 + 1)
    full, bright = full_all[rows], bright_all[rows]
    # (the bright steps' indices as the columns of a one-row image's non-zero pixels, in order:
    # into a buffer, where np.flatnonzero would allocate them)
    m = int(np.count_nonzero(bright))
    if m / (i1 - i0 + 1) < MIN_FILL:
        return None  # the cheapest check here first
    points = cv2.findNonZero(
        bright.view(np.uint8).reshape(1, -1), work.grab("ridge:points", (m, 1, 2), np.int32)
    )
    lit_in = work.grab("ridge:lit_in", (m,), np.intp)
    np.copyto(lit_in, points[:, 0, 0])
    # centreline: the intensity-weighted centre across the band at each bright step (only what
    # stands above half the candidate level weighs in), fitted by a line. The brightest sample
    # would jump between the near and far wall and with the speckle; the centre does not.
    # (every step of the run in the line's buffers; the bright ones picked from the result)
    across = np.subtract(full, 0.5 * threshold, out=work.grab("ridge:across", full.shape, np.float64))
    np.maximum(across, 0.0, out=across)
    centre = np.matmul(across, offsets, out=work.grab("ridge:c", (full.shape[0],), np.float64))
    weight = across.sum(axis=1, out=work.grab("ridge:w", (full.shape[0],), np.float64))
    np.divide(centre, np.maximum(weight, 1e-9, out=weight), out=centre)
    ridge = np.take(centre, lit_in, out=work.grab("ridge:ridge", (m,), np.float64), mode="clip")
    # a curved reflector (fascia arc, bone, vessel wall) bows away from its chord: the
    # quadratic term of the centreline over the run's half length is its sagitta
    mid = 0.5 * (t[i0] + t[i1])
    t_lit = np.take(t[i0:], lit_in, out=work.grab("ridge:t", (m,), np.float64), mode="clip")  # t[lit]
    x = np.subtract(t_lit, mid, out=work.grab("ridge:x", (m,), np.float64))
    slope, intercept, curve = line_and_bow(x, ridge, work.grab("ridge:x2", (m,), np.float64))
    intercept -= slope * mid
    residual = np.multiply(t_lit, slope, out=x)  # ridge − (intercept + slope·t), as numpy evaluates it
    np.add(residual, intercept, out=residual)
    np.subtract(ridge, residual, out=residual)
    wobble_mm = _trimmed_rms(work, residual) * mm_per_px
    sagitta_mm = abs(curve) * (0.5 * (t[i1] - t[i0])) ** 2 * mm_per_px
    length_mm = (t[i1] - t[i0]) * mm_per_px
    # a short straight stretch is easily mimicked (the edge of a fluid collection, a septum):
    # the shorter the run, the straighter it must be
    max_wobble = MAX_WOBBLE_MM * min(length_mm / STRAIGHT_LENGTH_MM, 1.0)
    return slope, intercept, wobble_mm <= max_wobble and sagitta_mm <= MAX_SAGITTA_MM


@lru_cache(maxsize=8)
def _band_offsets(band: int) -> np.ndarray:
    """The offsets across a line's band, −band … band pixels (float64, read-only: made once per band,
    where ``np.arange`` and its cast were made for every run)."""
    offsets = np.arange(-band, band + 1, dtype=np.float64)
    offsets.setflags(write=False)
    return offsets


def _trimmed_rms(work: NeedleBuffers, values: np.ndarray) -> float:
    """The RMS departure of ``values`` (float64, 1-D, not empty) from their mean over all but the
    :data:`WOBBLE_TRIM` of them furthest from it (``np.std`` with none left out); the values are
    overwritten. Sorted by OpenCV into a buffer (numpy's sort allocates its work arrays)."""
    n = values.size
    np.subtract(values, float(values.sum()) / n, out=values)
    np.multiply(values, values, out=values)
    keep = max(1, round(n * (1.0 - WOBBLE_TRIM)))
    if keep >= n:
        return math.sqrt(float(values.sum()) / n)
    squares = work.grab("ridge:squares", (1, n), np.float64)
    cv2.sort(values.reshape(1, n), cv2.SORT_EVERY_ROW | cv2.SORT_ASCENDING, dst=squares)
    return math.sqrt(float(squares[0, :keep].sum()) / keep)
