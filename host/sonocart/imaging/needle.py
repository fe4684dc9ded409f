"""Needle visibility: find the bright straight reflector of a needle shaft, its trajectory and tip.

Works on the scan-converted image (before overlays), in display pixels with
the calibration to millimetres:

1. candidates: the pixels standing out most from their local tissue level (the mean of the
   tissue pixels — not shadow or fluid black — in the 10 mm square around them, or the row's mean
   where higher; a high percentile of the imaged region, :mod:`~sonocart.imaging.needle_masks`),
   on a half-resolution copy for speed, less horizontal runs (layers), regions thicker than a shaft
   (blobs) and pixels with an acoustic shadow below (bone, :mod:`~sonocart.imaging.needle_shadow`);
2. a weighted Hough transform over insertion angles 12°–80° either side
   (horizontal layers — skin, fascia, muscle striations — are not needles);
3. refinement: a weighted total-least-squares fit to the candidates near each
   peak line (:mod:`~sonocart.imaging.needle_lines`);
4. each refined line, strongest first, is judged as a shaft — extent and entry at half resolution
   (:mod:`~sonocart.imaging.needle_shaft`), then extent, shape, context, tip and confidence at full
   resolution (:mod:`~sonocart.imaging.needle_judge`); the first that passes is the estimate.

Angles follow :mod:`sonocart.sim.needle`: the direction of insertion, from +x
(the skin, rightwards) towards +z (depth); 30° enters from the left, 150° from
the right. Below :data:`MIN_CONFIDENCE` the detector reports nothing, so no
trajectory is drawn on a frame without a needle.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.needle_buffers import NeedleBuffers
from sonocart.imaging.needle_judge import MAX_ANGLE_DEG, MIN_ANGLE_DEG, NeedleEstimate, ShaftFrame
from sonocart.imaging.needle_lines import thick_regions, top_fraction_level
from sonocart.imaging.needle_masks import local_box_px, search_mask, small_mask
from sonocart.imaging.needle_shadow import shadowed
from sonocart.imaging.needle_shaft import find_shaft
from sonocart.imaging.scanconvert import Calibration

__all__ = ["MIN_CONFIDENCE", "NeedleDetector", "NeedleEstimate"]

cv2: Any = _cv2

#: a candidate must be at least this many grey levels above its row's mean.
MIN_EXCESS = 40.0
MIN_CONFIDENCE = 0.5
CANDIDATE_PERCENTILE = 97.0
#: at most this many candidates vote (the strongest): bounds the Hough work on a bright frame.
MAX_CANDIDATES = 4000
#: horizontal runs of candidates (half-resolution pixels) at least this long are layers, not shafts.
LAYER_RUN_PX = 21
#: candidates in a region thicker than this (a disc of this diameter fits) are not a shaft: a 0.7 mm
#: needle with the axial and lateral blur of the lowest-frequency probe stays under it.
THICK_MM = 2.5
HOUGH_PEAKS = 12
#: the vote's angle cells: over the shortest shaft judged (8 mm, 45 pixels at the phased probe's
#: 0.18 mm) a line 1.5° off moves by 1.2 px, within one 2-pixel rho cell; each line found is refitted
#: to its candidates anyway. (1°: 28 of 48 and 0.2 ms more a frame; 1.5°: 29; 2°: 28 — 0 false needles
#: in 972 needle-free frames at each.)
ANGLE_STEP_DEG = 1.5
#: the side of the square whose searched pixels' mean is a candidate's local tissue level: many
#: speckle grains on every probe, and wide enough that a shaft (about 2 mm with its blur) raises its
#: own level by a fifth at most. Chosen on the matrix among 3, 6, 10 and 20 mm (docs/imaging.md).
LOCAL_MM = 10.0
#: below this grey level a pixel is black (shadow, fluid: −57 dB at the default 60 dB range), not tissue.
BLACK = 5.0


def _every_other_pixel(image: np.ndarray, out: np.ndarray) -> None:
    """``image[::2, ::2]`` (uint8) into ``out`` (int16, half the size rounded up).

    Where the rows have an even width, each pair of pixels read as one little-endian uint16 has the
    even one in its low byte: masking it off is one pass over whole rows, 4x faster than the
    strided, casting copy it replaces (and the same values). (OpenCV's mask: numpy's over every
    other row would allocate its iterator's buffers, 17 kB.)"""
    if image.shape[1] % 2 == 0 and image.flags.c_contiguous and sys.byteorder == "little":
        cv2.bitwise_and(image.view(np.uint16)[::2], 0xFF, dst=out.view(np.uint16))
    else:
        np.copyto(out, image[::2, ::2])


class NeedleDetector:
    """Stateless per frame; keeps its configuration, per-geometry masks (cached) and the work arrays of
    the current image size (:class:`~sonocart.imaging.needle_buffers.NeedleBuffers`)."""

    def __init__(
        self, min_confidence: float = MIN_CONFIDENCE, angle_step_deg: float = ANGLE_STEP_DEG
    ) -> None:
        self.min_confidence = min_confidence
        half = np.arange(MIN_ANGLE_DEG, MAX_ANGLE_DEG + 1e-9, angle_step_deg)
        self._angles = np.radians(np.concatenate([half, 180.0 - half[::-1]]))
        self._normal_u = (-np.sin(self._angles)).astype(np.float32)
        self._normal_v = np.cos(self._angles).astype(np.float32)
        self._layer_kernel = np.ones((1, LAYER_RUN_PX), np.uint8)
        self._work: NeedleBuffers | None = None
        self._frame: ShaftFrame | None = None

    def detect(self, image: np.ndarray, cal: Calibration, geometry: Geometry) -> NeedleEstimate | None:
        """The needle in ``image`` (uint8, no overlays), or ``None`` when there is none to show.

        Brightness is judged against the local tissue level (so attenuation with depth does
        not hide a deep shaft, and a shadowed row does not lift what is bright in it), and only
        beyond :data:`NEAR_FIELD_MM` from the face.
        Candidates and the Hough vote use every other pixel; every check along a
        candidate line reads the full-resolution image.
        """
        search = search_mask(geometry, cal)
        inside, counts, outside = small_mask(geometry, cal)
        n_small = int(np.count_nonzero(inside))
        if n_small < 100:
            return None
        work = self._buffers_for(image.shape)
        excess = work.excess
        _every_other_pixel(image, excess)
        # each row's mean inside the search (a product and a plain sum: 7x faster than where=)
        # (the sum in float32, where it is exact — whole numbers under 2**24 — by OpenCV's row
        # reduction: a quarter of numpy's pairwise sum's instructions, the same values in any order)
        np.copyto(work.masked, np.multiply(excess, inside, out=work.shifted))
        cv2.reduce(work.masked, 1, cv2.REDUCE_SUM, dst=work.row_sum)
        np.copyto(work.rows, work.row_sum[:, 0])
        rows = np.divide(work.rows, counts, out=work.rows)
        level = self._local_level(rows, cal, work)
        np.copyto(work.level16, level, casting="unsafe")  # truncated, as astype
        np.subtract(excess, work.level16, out=excess)
        np.add(excess, outside, out=excess)  # −600 outside the search: clipped to −255 below
        cv2.max(excess, -255, dst=excess)  # (numpy's maximum with a scalar is 6x slower)
        threshold = top_fraction_level(excess, n_small, 1.0 - CANDIDATE_PERCENTILE / 100.0, MIN_EXCESS, work)
        # (integer levels: x ≥ t exactly when x ≥ ⌈t⌉, and an int16 bound needs no cast buffers)
        at_least = np.int16(math.ceil(threshold))
        candidates = np.greater_equal(excess, at_least, out=work.candidates).view(np.uint8)
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
        values = excess.ravel().take(flat, out=work.values[:n], mode="clip")
        if n > MAX_CANDIDATES:  # a very bright frame: the strongest candidates carry the vote
            keep = np.argpartition(values, n - MAX_CANDIDATES)[-MAX_CANDIDATES:]  # (allocates: rare)
            us, vs, values = us[keep], vs[keep], values[keep]
            n = MAX_CANDIDATES
        u_full = np.multiply(us, 2, out=work.u_full[:n])
        v_full = np.multiply(vs, 2, out=work.v_full[:n])
        # bone casts a shadow, steel does not: a shadowed candidate has no vote and no part in the fit
        # (left out rather than given a weight of 0: the same votes and fits — the weights are whole
        # numbers, so every sum is exact in any order — at half the cost where bone shadows half the
        # candidates, as on the convex and phased probes)
        kept = np.logical_not(shadowed(image, u_full, v_full, cal, work), out=work.flag_b[:n])
        lit = int(np.count_nonzero(kept))
        if lit < 10:
            return None
        # (the kept ones' indices as the columns of a one-row image's non-zero pixels, in order: into a
        # buffer, where np.compress would allocate them)
        index = cv2.findNonZero(kept.view(np.uint8).reshape(1, n), work.points[:lit])
        kept_at = work.kept_at[:lit]
        np.copyto(kept_at, index[:, 0, 0])
        u_kept = u_full.take(kept_at, out=work.u_kept[:lit], mode="clip")
        v_kept = v_full.take(kept_at, out=work.v_kept[:lit], mode="clip")
        weights = work.weights[:lit]
        np.copyto(weights, values.take(kept_at, out=work.values_kept[:lit], mode="clip"))
        np.subtract(weights, threshold - 1.0, out=weights)  # (whole numbers: threshold is one)
        u, v = work.u32[:lit], work.v32[:lit]
        np.copyto(u, u_kept)
        np.copyto(v, v_kept)
        row_level = work.row_level
        row_level[0::2] = rows[: (row_level.size + 1) // 2]
        row_level[1::2] = rows[: row_level.size // 2]
        peaks = self._hough_peaks(u, v, weights, work)
        # (the candidate stage's views let go before the lines are judged, where the frame's peak is:
        # some 15 array views that would otherwise add to it)
        del candidates, layers, kept, points, us, vs, flat, values, u_full, v_full, index, kept_at
        del u_kept, v_kept
        frame = self._frame_for(work)
        frame.image, frame.small_excess, frame.row_level, frame.search = image, excess, row_level, search
        frame.level = level
        frame.cal, frame.threshold, frame.min_confidence = cal, threshold, self.min_confidence
        return find_shaft(frame, peaks, (u, v, weights))  # the strongest that passes

    @staticmethod
    def _local_level(rows: np.ndarray, cal: Calibration, work: NeedleBuffers) -> np.ndarray:
        """The tissue level each half-resolution pixel is judged against (float32, ``work.level``): the
        mean of the tissue pixels (searched, at least :data:`BLACK`) in the :data:`LOCAL_MM` square
        around it, or its row's mean ``rows`` where that is higher.

        Black pixels (a bone's or a cornu's shadow, an effusion) are not tissue: counted in a mean,
        they lower it and lift whatever is bright beside them — the fringe of a bone surface above its
        shadow, a comet tail in the caudal hiatus — above a needle elsewhere (what a row's mean over
        all its pixels did). (``work.masked`` holds the image's half-resolution copy, 0 outside the
        search.)"""
        # (on a quarter-resolution grid, 4x fewer pixels: the level varies over LOCAL_MM, not per pixel)
        k = local_box_px(cal, LOCAL_MM, 4)
        box = {"ksize": (k, k), "normalize": True, "borderType": cv2.BORDER_CONSTANT}
        area, quarter = cv2.INTER_AREA, (work.quarter_sum.shape[1], work.quarter_sum.shape[0])
        cv2.threshold(work.masked, BLACK - 0.5, 1.0, cv2.THRESH_BINARY, dst=work.tissue)  # grey ≥ BLACK
        cv2.resize(work.tissue, quarter, dst=work.quarter, interpolation=area)
        cv2.boxFilter(work.quarter, -1, dst=work.quarter_share, **box)
        np.maximum(work.quarter_share, 1e-3, out=work.quarter_share)  # (no tissue near: the row's mean)
        cv2.resize(work.masked, quarter, dst=work.quarter, interpolation=area)
        cv2.boxFilter(work.quarter, -1, dst=work.quarter_sum, **box)
        np.divide(work.quarter_sum, work.quarter_share, out=work.quarter_sum)
        level: np.ndarray = work.level
        cv2.resize(
            work.quarter_sum, (level.shape[1], level.shape[0]), dst=level, interpolation=cv2.INTER_LINEAR
        )
        rows_level = work.tissue  # (free again) the row's mean on every pixel of its row:
        np.copyto(work.rows32[:, 0], rows)  # (cast once per row, then a broadcasting copy, 4x faster;
        np.copyto(rows_level, work.rows32)  # a broadcasting ufunc would allocate its buffers)
        np.maximum(level, rows_level, out=level)
        return level

    def _buffers_for(self, shape: tuple[int, ...]) -> NeedleBuffers:
        """The work arrays for this image size: made when the viewport changes, reused every frame."""
        if self._work is None or not self._work.matches(shape):
            h, w = shape
            self._work = NeedleBuffers((h, w), (self._normal_u, self._normal_v), MAX_CANDIDATES)
        return self._work

    def _frame_for(self, work: NeedleBuffers) -> ShaftFrame:
        """What the lines of a frame are judged on, holding ``work`` (refilled by :meth:`detect`)."""
        if self._frame is None or self._frame.work is not work:
            self._frame = ShaftFrame(work)
        return self._frame

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
        # (cast once per candidate, then a broadcasting copy without a cast: 12 µs instead of 30 at 763
        # candidates, as casting in every angle's copy; the same values, whole numbers exact in float32)
        weights32 = work.weights32[:n]
        np.copyto(weights32, w)
        np.copyto(vote_weights, weights32[:, None])
        work.votes.fill(0.0)
        np.add.at(work.votes, cells.ravel(), vote_weights.ravel())
        votes = work.votes.reshape(self._angles.size, n_rho)
        peaks: list[tuple[float, float]] = []
        best = votes.max(axis=1, out=work.best)  # the greedy search reads 138 maxima, not the table
        for _ in range(HOUGH_PEAKS):
            a_idx = int(best.argmax())  # (the methods: np.argmax's dispatch costs as much again)
            if best[a_idx] <= 0:
                break
            r_idx = int(votes[a_idx].argmax())
            peaks.append((float(self._angles[a_idx]), float(r_idx * 2.0 + 1.0 - rho_max)))
            rows = slice(max(0, a_idx - 5), a_idx + 6)
            votes[rows, max(0, r_idx - 6) : r_idx + 7] = 0.0  # suppress its neighbourhood
            votes[rows].max(axis=1, out=best[rows])
        return peaks
