"""Needle visibility: find the bright straight reflector of a needle shaft, its trajectory and tip.

Works on the scan-converted image (before overlays), in display pixels with
the calibration to millimetres:

1. candidates: the brightest pixels (a high percentile of the imaged region),
   on a half-resolution copy for speed, less horizontal runs (layers) and
   regions thicker than a shaft (blobs);
2. a weighted Hough transform over insertion angles 12°–80° either side
   (horizontal layers — skin, fascia, muscle striations — are not needles);
3. refinement: a weighted total-least-squares fit to the candidates near each
   peak line;
4. extent: the longest bright run along the fitted line (gaps under 2 mm
   bridged), found on the half-resolution image and re-found at full
   resolution inside it; the centreline is the intensity-weighted centre
   across the shaft at each step, fitted by least squares; the tip is the
   deepest sample along it still at half the shaft's own level;
5. shape and context: the run is continuous, straight (centreline residual and
   its bow from the chord, which a fascia arc or bone surface has) and seen from
   where its line enters the searched region (an in-plane shaft is visible from
   the edge of the field of view; a bright segment starting deep in the image
   with nothing on its way up is tissue);
6. confidence from the run's length and its contrast against the tissue beside
   it, and zero when the region just below is an acoustic shadow (bone does
   that, a needle does not).

Angles follow :mod:`sonocart.sim.needle`: the direction of insertion, from +x
(the skin, rightwards) towards +z (depth); 30° enters from the left, 150° from
the right. Below :data:`MIN_CONFIDENCE` the detector reports nothing, so no
trajectory is drawn on a frame without a needle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.needle_buffers import NeedleBuffers
from sonocart.imaging.needle_lines import (
    Excess,
    hidden_run_mm,
    inside_span,
    line_and_bow,
    longest_run,
    refine_lines,
    thick_regions,
    top_fraction_level,
)
from sonocart.imaging.scanconvert import Calibration

cv2: Any = _cv2

#: the first millimetres below the transducer face (skin, lens reverberation) are not searched.
NEAR_FIELD_MM = 4.0
#: a candidate must be at least this many grey levels above its row's mean.
MIN_EXCESS = 40.0
MIN_ANGLE_DEG = 12.0
MAX_ANGLE_DEG = 80.0
MIN_CONFIDENCE = 0.5
MIN_LENGTH_MM = 8.0
FULL_LENGTH_MM = 12.0
GAP_MM = 2.0
BAND_MM = 0.6
CANDIDATE_PERCENTILE = 97.0
#: at most this many candidates vote (the strongest): bounds the Hough work on a bright frame.
MAX_CANDIDATES = 4000
#: horizontal runs of candidates (half-resolution pixels) at least this long are layers, not shafts.
LAYER_RUN_PX = 21
#: candidates in a region thicker than this (a disc of this diameter fits) are not a shaft: a 0.7 mm
#: needle with the axial and lateral blur of the lowest-frequency probe stays under it.
THICK_MM = 2.5
HOUGH_PEAKS = 12
#: a shaft is continuous (bright over this fraction of its run) and straight (centreline RMS).
MIN_FILL = 0.7
NARROW_PX = 1
#: along the centreline the shaft is bright in at least this fraction of every 1 mm.
TIP_WINDOW_MM = 1.0
TIP_DENSITY = 0.6
#: … the tip is the last such sample at least this fraction of the shaft's median level (half maximum),
TIP_HALF = 0.5
#: … bridging dim stretches up to this long.
TIP_GAP_MM = 0.5
#: the weighted centreline departs from its fitted line by at most this (RMS).
MAX_WOBBLE_MM = 0.15
#: … scaled down in proportion for runs shorter than this.
STRAIGHT_LENGTH_MM = 15.0
#: … and bows from its chord by at most this much over its run (a needle is straight).
MAX_SAGITTA_MM = 0.4
#: the shaft's visible upper end lies within this of where its line enters the searched region.
ENTRY_GAP_MM = 10.0
#: below a bone surface the image is this much darker than above it (a needle has tissue below).
SHADOW_RATIO = 0.35
#: … or this many grey levels darker (≈ 12 dB at 60 dB DR: raised TGC lifts a shadow's noise).
SHADOW_DROP = 50.0
#: a shaft lies in tissue: the strips either side of it are within this ratio of each other.
EDGE_RATIO = 0.58


@dataclass(frozen=True)
class NeedleEstimate:
    trajectory: tuple[tuple[float, float], tuple[float, float]]  # (entry, tip), mm (x, z)
    tip_mm: tuple[float, float]
    angle_deg: float
    confidence: float  # 0..1
    length_mm: float

    def trajectory_px(self, cal: Calibration) -> tuple[tuple[float, float], tuple[float, float]]:
        return cal.to_px(*self.trajectory[0]), cal.to_px(*self.trajectory[1])


class NeedleDetector:
    """Stateless per frame; keeps its configuration, per-geometry masks (cached) and the work arrays of
    the current image size (:class:`~sonocart.imaging.needle_buffers.NeedleBuffers`)."""

    def __init__(self, min_confidence: float = MIN_CONFIDENCE, angle_step_deg: float = 1.0) -> None:
        self.min_confidence = min_confidence
        half = np.arange(MIN_ANGLE_DEG, MAX_ANGLE_DEG + 1e-9, angle_step_deg)
        self._angles = np.radians(np.concatenate([half, 180.0 - half[::-1]]))
        self._normal_u = (-np.sin(self._angles)).astype(np.float32)
        self._normal_v = np.cos(self._angles).astype(np.float32)
        self._layer_kernel = np.ones((1, LAYER_RUN_PX), np.uint8)
        self._work: NeedleBuffers | None = None

    def detect(self, image: np.ndarray, cal: Calibration, geometry: Geometry) -> NeedleEstimate | None:
        """The needle in ``image`` (uint8, no overlays), or ``None`` when there is none to show.

        Brightness is judged against each row's mean (so attenuation with depth does
        not hide a deep shaft), and only beyond :data:`NEAR_FIELD_MM` from the face.
        Candidates and the Hough vote use every other pixel; every check along a
        candidate line reads the full-resolution image.
        """
        search = search_mask(geometry, cal)
        inside, counts, outside = _small_mask(geometry, cal)
        n_small = int(np.count_nonzero(inside))
        if n_small < 100:
            return None
        work = self._buffers_for(image.shape)
        excess = work.excess
        np.copyto(excess, image[::2, ::2])
        # each row's mean inside the search (a product and a plain sum: 7x faster than where=)
        # (a reduction that casts allocates its buffers: the sum is taken in float32, where it is exact)
        np.copyto(work.masked, np.multiply(excess, inside, out=work.shifted))
        np.copyto(work.rows, np.sum(work.masked, axis=1, out=work.row_sum))
        rows = np.divide(work.rows, counts, out=work.rows)
        np.copyto(work.rows16, rows, casting="unsafe")  # truncated, as astype
        # (broadcasting inside a ufunc allocates its iterator's buffers; a broadcasting copy does not)
        np.copyto(work.shifted, work.rows16[:, None])
        np.subtract(excess, work.shifted, out=excess)
        np.add(excess, outside, out=excess)  # −600 outside the search: clipped to −255 below
        np.maximum(excess, np.int16(-255), out=excess)
        threshold = max(
            top_fraction_level(excess, n_small, 1.0 - CANDIDATE_PERCENTILE / 100.0, work), MIN_EXCESS
        )
        candidates = np.greater_equal(excess, threshold, out=work.candidates).view(np.uint8)
        # a layer (skin, fascia, cortex) is bright along whole rows: drop runs longer than any shaft
        # of at least MIN_ANGLE_DEG makes (its thickness / tan 12° ≈ 5 × its thickness)
        layers = cv2.morphologyEx(candidates, cv2.MORPH_OPEN, self._layer_kernel, dst=work.layers)
        # … and a region of candidates thicker than any shaft looks is a blob (a bone surface blurred
        # by a low-frequency probe, a bright edge), which would support a Hough line at every angle
        np.maximum(layers, thick_regions(candidates, THICK_MM / (2 * cal.mm_per_px), work), out=layers)
        kept = np.greater(candidates, layers, out=work.kept).view(np.uint8)
        n = int(cv2.countNonZero(kept))
        if n < 10:
            return None
        points = cv2.findNonZero(kept, work.points[:n])  # row by row: np.nonzero's order
        us, vs = work.us[:n], work.vs[:n]
        np.copyto(us, points[:, 0, 0])
        np.copyto(vs, points[:, 0, 1])
        flat = np.multiply(vs, excess.shape[1], out=work.flat[:n])
        np.add(flat, us, out=flat)
        values = np.take(excess.ravel(), flat, out=work.values[:n], mode="clip")
        if n > MAX_CANDIDATES:  # a very bright frame: the strongest candidates carry the vote
            keep = np.argpartition(values, n - MAX_CANDIDATES)[-MAX_CANDIDATES:]  # (allocates: rare)
            us, vs, values = us[keep], vs[keep], values[keep]
            n = MAX_CANDIDATES
        u_full = np.multiply(us, 2, out=work.u_full[:n])
        v_full = np.multiply(vs, 2, out=work.v_full[:n])
        # bone casts a shadow, steel does not: a shadowed candidate gets no weight (no vote, no fit)
        weights = work.weights[:n]
        np.copyto(weights, values)
        np.subtract(weights, threshold - 1.0, out=weights)
        shadowed = _shadowed(image, u_full, v_full, cal, work)
        if n - int(np.count_nonzero(shadowed)) < 10:
            return None
        np.copyto(weights, 0.0, where=shadowed)
        u, v = work.u32[:n], work.v32[:n]
        np.copyto(u, u_full)
        np.copyto(v, v_full)
        row_level = work.row_level
        row_level[0::2] = rows[: (row_level.size + 1) // 2]
        row_level[1::2] = rows[: row_level.size // 2]
        peaks = self._hough_peaks(u, v, weights, work)
        for fitted in refine_lines(u, v, weights, peaks, work):
            found = (
                None
                if fitted is None
                else self._extent(work, image, excess, row_level, search, cal, fitted, threshold)
            )
            if found is not None:
                return found  # the strongest line that passes every check
        return None

    def _buffers_for(self, shape: tuple[int, ...]) -> NeedleBuffers:
        """The work arrays for this image size: made when the viewport changes, reused every frame."""
        if self._work is None or not self._work.matches(shape):
            h, w = shape
            self._work = NeedleBuffers((h, w), (self._normal_u, self._normal_v), MAX_CANDIDATES)
        return self._work

    def _hough_peaks(
        self, u: np.ndarray, v: np.ndarray, w: np.ndarray, work: NeedleBuffers
    ) -> list[tuple[float, float]]:
        """(angle, rho) of the strongest distinct lines; rho along the normal (−sin a, cos a), in pixels.

        Several, because bone or a fascia arc can out-vote a faint steep needle; each
        is then judged on its own (straight run, contrast, no shadow below). Votes are
        cast in 2-pixel rho cells (the candidates are every other pixel).
        """
        n, rho_max, n_rho = u.size, work.rho_max, work.n_rho
        rho, cells = work.rho[:n], work.cells[:n]
        # u·(−sin a) + v·cos a for every candidate and angle: one (n × 3)·(3 × angles) product
        uv = work.uv[:n]
        uv[:, 0], uv[:, 1] = u, v
        # … and the cell in the same product: ½·(rho + rho_max) = ½u·n_u + ½v·n_v + ½rho_max (halving
        # is exact in binary floating point), the third column of uv being 1
        np.einsum("ik,kj->ij", uv, work.normals, out=rho)  # (not BLAS: its threads fight a pinned core)
        np.copyto(cells, rho, casting="unsafe")  # truncated, as astype
        np.add(cells, work.cell_offsets[:n], out=cells)
        vote_weights = work.vote_weights[:n]
        np.copyto(vote_weights, w[:, None])
        work.votes.fill(0.0)
        np.add.at(work.votes, cells.ravel(), vote_weights.ravel())
        votes = work.votes.reshape(self._angles.size, n_rho)
        peaks: list[tuple[float, float]] = []
        best = votes.max(axis=1, out=work.best)  # the greedy search reads 138 maxima, not the table
        for _ in range(HOUGH_PEAKS):
            a_idx = int(np.argmax(best))
            if best[a_idx] <= 0:
                break
            r_idx = int(np.argmax(votes[a_idx]))
            peaks.append((float(self._angles[a_idx]), float(r_idx * 2.0 + 1.0 - rho_max)))
            rows = slice(max(0, a_idx - 5), a_idx + 6)
            votes[rows, max(0, r_idx - 6) : r_idx + 7] = 0.0  # suppress its neighbourhood
            votes[rows].max(axis=1, out=best[rows])
        return peaks

    def _extent(
        self,
        work: NeedleBuffers,
        image: np.ndarray,
        small_excess: np.ndarray,
        row_level: np.ndarray,
        search: np.ndarray,
        cal: Calibration,
        line: tuple[float, float],
        threshold: float,
    ) -> NeedleEstimate | None:
        """The shaft along ``line`` (angle, rho) if it passes every check, else ``None``.

        Its extent is found on the half-resolution excess (every other pixel along and across
        the line: most lines end there); the centreline, the contrast and the tip read the
        full-resolution image."""
        angle, rho = line
        deg = math.degrees(angle)
        if not (MIN_ANGLE_DEG - 2 <= deg <= MAX_ANGLE_DEG + 2 or 180 - MAX_ANGLE_DEG - 2 <= deg <= 168 + 2):
            return None
        du, dv = math.cos(angle), math.sin(angle)
        nu, nv = -dv, du
        h, w = image.shape
        # the line inside the image: parameter t along (du, dv) from the foot of the normal
        pu, pv = rho * nu, rho * nv
        step = 2.0  # full-resolution pixels between samples along the line (one half-resolution pixel)
        t_all = work.arange("line:t", *inside_span(pu, pv, du, dv, w, h), step)
        uu, vv = work.along("line", t_all, (pu, pv), (du, dv))
        # inside the image (2 px margin): one stretch of the line, as both coordinates are linear in t
        inside = work.inside("line", uu, vv, (2.0, w - 3.0), (2.0, h - 3.0))
        if inside is None or inside.stop - inside.start < 4:
            return None
        t, uu, vv = t_all[inside], uu[inside], vv[inside]
        band = max(2, round(BAND_MM / cal.mm_per_px))
        half = np.arange(-((band + 1) // 2), (band + 1) // 2 + 1) * 2.0  # every other offset
        flat2, _ = work.band_pixels("half", (uu, vv), half, (nu, nv), 0.5, small_excess.shape)
        values = np.take(
            small_excess.ravel(), flat2, out=work.grab("half:x", flat2.shape, np.int16), mode="clip"
        )
        profile = values.max(axis=1, out=work.grab("half:max", (t.size,), np.int16))
        bright = profile >= threshold * 0.7
        run = longest_run(bright, round(GAP_MM / cal.mm_per_px / step))
        if run is None:
            return None
        i0, i1 = run
        length_mm = (t[i1] - t[i0]) * cal.mm_per_px
        if length_mm < MIN_LENGTH_MM:
            return None
        # in plane, a shaft is seen from where it enters the field of view: traced back up from its
        # upper end, the line must leave the searched region within ENTRY_GAP_MM (a reflector that
        # starts deep inside the image with nothing on its way up is tissue, not a needle)
        if hidden_run_mm(search, float(uu[i0]), float(vv[i0]), du, dv, cal, ENTRY_GAP_MM) > ENTRY_GAP_MM:
            return None
        # the run again at full resolution, within the half-resolution one (which a few brighter
        # half-resolution pixels of tissue beside a shaft can lengthen)
        offsets = np.arange(-band, band + 1)
        seg = slice(i0, i1 + 1)
        flat, rows = work.band_pixels("full", (uu[seg], vv[seg]), offsets, (nu, nv), 1.0, (h, w))
        excess = Excess(image, row_level, search, work)
        full = excess.at("full", flat, rows)
        peak = full.max(axis=1, out=work.grab("full:max", (full.shape[0],), np.float64))
        bright = np.greater_equal(peak, threshold * 0.7, out=work.grab("full:bright", peak.shape, np.bool_))
        run = longest_run(bright, round(GAP_MM / cal.mm_per_px / step))
        if run is None:
            return None
        j0, j1 = run
        i0, i1 = i0 + j0, i0 + j1
        length_mm = (t[i1] - t[i0]) * cal.mm_per_px
        if length_mm < MIN_LENGTH_MM:
            return None
        if hidden_run_mm(search, float(uu[i0]), float(vv[i0]), du, dv, cal, ENTRY_GAP_MM) > ENTRY_GAP_MM:
            return None
        seg = slice(i0, i1 + 1)
        flat, full, bright = flat[j0 : j1 + 1], full[j0 : j1 + 1], bright[j0 : j1 + 1]
        lit_in = np.flatnonzero(bright)
        lit = lit_in + i0
        fill = lit.size / (i1 - i0 + 1)
        # centreline: the intensity-weighted centre across the band at each bright step (only what
        # stands above half the candidate level weighs in), fitted by a line. The brightest sample
        # would jump between the near and far wall and with the speckle; the centre does not.
        # (every step of the run in the line's buffers; the bright ones picked from the result)
        across = np.subtract(full, 0.5 * threshold, out=work.grab("ridge:across", full.shape, np.float64))
        np.maximum(across, 0.0, out=across)
        centre = np.matmul(
            across, offsets.astype(np.float64), out=work.grab("ridge:c", (full.shape[0],), np.float64)
        )
        weight = across.sum(axis=1, out=work.grab("ridge:w", (full.shape[0],), np.float64))
        ridge = np.divide(centre, np.maximum(weight, 1e-9, out=weight), out=centre)[lit_in]
        # a curved reflector (fascia arc, bone, vessel wall) bows away from its chord: the
        # quadratic term of the centreline over the run's half length is its sagitta
        mid = 0.5 * (t[i0] + t[i1])
        slope, intercept, curve = line_and_bow(t[lit] - mid, ridge)
        intercept -= slope * mid
        wobble_mm = float(np.std(ridge - (intercept + slope * t[lit]))) * cal.mm_per_px
        sagitta_mm = abs(curve) * (0.5 * (t[i1] - t[i0])) ** 2 * cal.mm_per_px
        # a short straight stretch is easily mimicked (the edge of a fluid collection, a septum):
        # the shorter the run, the straighter it must be
        max_wobble = MAX_WOBBLE_MM * min(length_mm / STRAIGHT_LENGTH_MM, 1.0)
        if fill < MIN_FILL or wobble_mm > max_wobble or sagitta_mm > MAX_SAGITTA_MM:
            return None  # not a continuous straight reflector (vessel walls, septa, speckle)
        tilt = math.atan(float(slope))
        deg = math.degrees(angle + tilt)
        if not (
            MIN_ANGLE_DEG <= deg <= MAX_ANGLE_DEG or 180.0 - MAX_ANGLE_DEG <= deg <= 180.0 - MIN_ANGLE_DEG
        ):
            return None  # flatter than any in-plane needle: a layer
        shaft_px = np.take(image.ravel(), flat, out=work.grab("shaft", flat.shape, np.uint8), mode="clip")
        shaft = shaft_px.max(axis=1, out=work.grab("shaft:max", (flat.shape[0],), np.uint8))
        side = round(2.5 / cal.mm_per_px)
        seg_u, seg_v = uu[seg], vv[seg]
        beside = self._side_mean(image, search, seg_u, seg_v, nu, nv, -side)
        under = self._side_mean(image, search, seg_u, seg_v, nu, nv, side)
        if beside != beside or under != under:  # not in view on both sides: cannot be judged
            return None
        if under == under and min(beside, under) < EDGE_RATIO * max(beside, under, 1.0):
            return None  # dark on one side, tissue on the other: the wall of a vessel or cyst, not a shaft
        contrast = float(np.mean(shaft)) / max(beside, 1.0)
        # (NaN: nothing below to judge)
        shadowed = under == under and (under < SHADOW_RATIO * beside or beside - under > SHADOW_DROP)
        confidence = min(length_mm / FULL_LENGTH_MM, 1.0) * min(max((contrast - 1.2) / 0.6, 0.0), 1.0)
        if shadowed:
            confidence = 0.0
        if confidence < self.min_confidence:
            return None
        # ends: along the centreline itself, every pixel, in a narrow band, so reverberations just
        # below a steep shaft (which trail past its tip) do not lengthen it
        first, last = float(t[i0]), float(t[i1])
        step = 1.0
        t = work.arange("ends:t", float(t[0]), float(t[-1]) + 0.5, step)
        i0, i1 = round((first - float(t[0])) / step), round((last - float(t[0])) / step)
        cu, cv = work.along("ends", t, (pu, pv), (du, dv), (intercept, slope, nu, nv))
        narrow = np.arange(-NARROW_PX, NARROW_PX + 1)
        flat, rows = work.band_pixels("narrow", (cu, cv), narrow, (nu, nv), 1.0, (h, w))
        # the tip is where the shaft's echo falls to half its own level (the median along the run):
        # a fixed low threshold would run on past the tip's blur into tissue beyond it
        along = excess.at("narrow", flat, rows).max(
            axis=1, out=work.grab("narrow:max", (cu.size,), np.float64)
        )
        core = along >= max(threshold * 0.7, TIP_HALF * float(np.median(along[i0 : i1 + 1])))
        # a shaft is densely bright; speckle past the tip is not: keep samples in dense stretches,
        # then bridge short gaps (a layer crossing the shaft may dim it briefly)
        window = max(3, round(TIP_WINDOW_MM / cal.mm_per_px / step))
        density = np.convolve(core.astype(np.float64), np.ones(window) / window, mode="same")
        core_run = longest_run(core & (density >= TIP_DENSITY), round(TIP_GAP_MM / cal.mm_per_px / step))
        if core_run is not None and core_run[1] - core_run[0] >= (i1 - i0) // 2:
            i0, i1 = core_run
        a = cal.to_mm(float(cu[i0]), float(cv[i0]))
        b = cal.to_mm(float(cu[i1]), float(cv[i1]))
        entry, tip = (a, b) if b[1] >= a[1] else (b, a)
        return NeedleEstimate((entry, tip), tip, deg, round(confidence, 3), length_mm)

    @staticmethod
    def _side_mean(
        image: np.ndarray,
        search: np.ndarray,
        uu: np.ndarray,
        vv: np.ndarray,
        nu: float,
        nv: float,
        offset: int,
    ) -> float:
        """Mean level of the strip ``offset`` pixels from the line (positive = deeper side)."""
        h, w = image.shape
        sign = 1 if nv >= 0 else -1
        su = np.rint(uu + sign * offset * nu).astype(np.intp)
        sv = np.rint(vv + sign * offset * nv).astype(np.intp)
        ok = (su >= 0) & (su < w) & (sv >= 0) & (sv < h)
        ok[ok] = search[sv[ok], su[ok]]
        if ok.sum() < 4:
            return math.nan
        return float(image[sv[ok], su[ok]].mean())


@lru_cache(maxsize=8)
def _small_mask(geometry: Geometry, cal: Calibration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The search mask at half resolution (int16 1 inside, 0 outside), its count of pixels per row
    (float64, at least 1), and −600 (int16) outside it."""
    mask = np.ascontiguousarray(search_mask(geometry, cal)[::2, ::2])
    counts = np.maximum(mask.sum(axis=1), 1).astype(np.float64)  # (at least 1: a divisor)
    outside = np.where(mask, 0, -600).astype(np.int16)
    inside = mask.astype(np.int16)
    for array in (inside, counts, outside):
        array.setflags(write=False)
    return inside, counts, outside


def _shadowed(
    image: np.ndarray, u: np.ndarray, v: np.ndarray, cal: Calibration, work: NeedleBuffers
) -> np.ndarray:
    """True where the tissue 2.5–4.5 mm below a bright pixel is far darker than above it: bone, not steel.

    (Not nearer: a bone surface blurred by a low-frequency probe is itself bright 1–2 mm deep.)
    Written into ``work.flag_b``."""
    h, w = image.shape
    n = u.size
    offsets = _shadow_offsets(cal)
    flat_image = image.reshape(-1)
    idx = work.grab("shadow:idx", (3, n), np.intp)
    val = work.grab("shadow:grey", (3, n), np.uint8)
    level = work.grab("shadow:level", (3, n), np.float64)
    levels = []
    for side, sign in ((work.below[:n], 1), (work.above[:n], -1)):
        for j in range(3):
            np.add(v, sign * int(offsets[j]), out=idx[j])
        np.maximum(idx, 0, out=idx)
        np.minimum(idx, h - 1, out=idx)  # (np.clip's own checks cost more than the clipping)
        np.multiply(idx, w, out=idx)
        for j in range(3):
            np.add(idx[j], u, out=idx[j])
        np.take(flat_image, idx, out=val, mode="clip")
        np.copyto(level, val)
        np.add(level[0], level[1], out=side)
        np.add(side, level[2], out=side)
        np.divide(side, 3.0, out=side)  # the mean of the three, as .mean(axis=1)
        levels.append(side)
    below, above = levels
    darker, scratch = work.flag_a[:n], work.scratch[:n]
    result = work.flag_b[:n]
    np.less(below, np.multiply(above, SHADOW_RATIO, out=scratch), out=darker)
    np.greater(np.subtract(above, below, out=scratch), SHADOW_DROP, out=result)
    np.logical_or(darker, result, out=result)
    np.logical_and(result, np.less(v, h - int(offsets[-1]), out=darker), out=result)  # judged
    return result


@lru_cache(maxsize=8)
def _shadow_offsets(cal: Calibration) -> np.ndarray:
    offsets = np.rint(np.array([2.5, 3.5, 4.5]) / cal.mm_per_px).astype(np.intp)
    offsets.setflags(write=False)
    return offsets


@lru_cache(maxsize=8)
def search_mask(geometry: Geometry, cal: Calibration) -> np.ndarray:
    """Pixels in the imaged region and deeper than :data:`NEAR_FIELD_MM` below the transducer face."""
    v, u = np.mgrid[0 : cal.height_px, 0 : cal.width_px].astype(np.float64)
    x = (u - cal.origin_px[0]) * cal.mm_per_px
    z = (v - cal.origin_px[1]) * cal.mm_per_px
    n = 256
    li, si = geometry.to_line_sample(x, z, n, n)
    inside = (li >= 0) & (li <= n - 1) & (si >= 0) & (si <= n - 1)
    depth = geometry.depth_start_mm + si * (geometry.depth_end_mm - geometry.depth_start_mm) / (n - 1)
    mask = inside & (depth >= NEAR_FIELD_MM)
    mask.setflags(write=False)
    return mask
