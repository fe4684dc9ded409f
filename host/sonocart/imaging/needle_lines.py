"""Line and mask geometry for needle detection: sampling a line in an image, fitting it, thick
regions of a mask (the runs along a line: :mod:`~sonocart.imaging.needle_runs`).

Pure functions on arrays in display pixels (no thresholds of their own);
:mod:`sonocart.imaging.needle` decides what a needle is with them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.needle_buffers import Arena, NeedleBuffers
from sonocart.imaging.scanconvert import Calibration

cv2: Any = _cv2


def hidden_run_mm(
    search: np.ndarray,
    u: float,
    v: float,
    direction: tuple[float, float],
    cal: Calibration,
    limit_mm: float,
    work: Arena,
) -> float:
    """How far (mm) the line from (u, v) back up along −``direction`` stays inside ``search``.

    Looked at only a pixel beyond ``limit_mm`` (the caller asks whether it is further); in
    ``work``'s buffers."""
    h, w = search.shape
    du, dv = direction
    k = work.arange("hidden:k", 1.0, min(math.hypot(h, w), limit_mm / cal.mm_per_px + 3.0), 1.0)
    cols, rows = work.grab("hidden:u", k.shape, np.float64), work.grab("hidden:v", k.shape, np.float64)
    for out, start, d in ((cols, u, du), (rows, v, dv)):
        np.multiply(k, d, out=out)
        np.subtract(start, out, out=out)
        np.rint(out, out=out)  # the pixel rint(start − k·d)
    flat, ok = work.pixels("hidden", cols, rows, (h, w))
    np.logical_and(
        ok, np.take(search.ravel(), flat, out=work.grab("hidden:in", k.shape, np.bool_), mode="clip"), out=ok
    )
    first = int(np.argmin(ok.view(np.uint8)))  # the first step outside (a True where there is none)
    steps = float(k.size) if ok[first] else float(first)
    return steps * cal.mm_per_px


def line_and_bow(
    x: np.ndarray, y: np.ndarray, square: np.ndarray | None = None
) -> tuple[float, float, float]:
    """Least-squares ``y ≈ a + b·x`` (slope b, intercept a) and the ``c`` of ``y ≈ a' + b'·x + c·x²``.

    Closed form from the moment sums (what ``np.polyfit`` degree 1 and 2 give, without its
    per-call overhead, which dominated the per-line cost); ``x`` should be centred. ``square``: a
    buffer of ``x``'s size for x² (else allocated)."""
    n = float(x.size)
    x2 = np.multiply(x, x, out=square)
    sx, sxx, sxxx, sxxxx = float(x.sum()), float(x2.sum()), float(x2 @ x), float(x2 @ x2)
    sy, sxy, sxxy = float(y.sum()), float(x @ y), float(x2 @ y)
    det1 = n * sxx - sx * sx
    b = (n * sxy - sx * sy) / det1 if det1 > 1e-12 else 0.0
    a = (sy - b * sx) / n
    # c by Cramer's rule on the 3 × 3 normal equations (a numpy solve's own overhead is 5x the sums)
    det = sxxxx * (sxx * n - sx * sx) - sxxx * (sxxx * n - sx * sxx) + sxx * (sxxx * sx - sxx * sxx)
    if abs(det) < 1e-9:
        return b, a, 0.0
    det_c = sxxy * (sxx * n - sx * sx) - sxxx * (sxy * n - sx * sy) + sxx * (sxy * sx - sxx * sy)
    return b, a, det_c / det


def row_max(values: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The largest of each row of ``values`` (float64 or uint8, C-contiguous, at least one row) into
    ``out`` (1-D, of the same dtype).

    OpenCV's row reduction: numpy's reduction over a short last axis is 7x slower on float64 and 2x
    on uint8 (a maximum is exact either way). (Not on float32 rows: OpenCV's is 25x slower there.)"""
    cv2.reduce(values, 1, cv2.REDUCE_MAX, dst=out.reshape(-1, 1))
    return out


def inside_span(pu: float, pv: float, du: float, dv: float, w: int, h: int) -> tuple[float, float]:
    """Parameter range [t0, t1) over which ``(pu, pv) + t·(du, dv)`` stays in the image (2 px margin)."""
    lo, hi = -math.hypot(h, w), math.hypot(h, w)
    for p, d, size in ((pu, du, w), (pv, dv, h)):
        if abs(d) > 1e-9:
            a, b = (2 - p) / d, (size - 3 - p) / d
            lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    return lo, max(lo, hi)


def refine_lines(
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    lines: list[tuple[float, float]],
    work: Arena | None = None,
) -> list[tuple[float, float] | None]:
    """Weighted total-least-squares line through the candidates within 4 px of each Hough line.

    All lines at once: the principal axis of each weighted 2 × 2 scatter matrix in closed
    form (``½·atan2(2·Suv, Suu − Svv)``); ``None`` where fewer than 10 candidates of
    positive weight are near. ``u``, ``v`` float32, ``w`` float64; with ``work`` (holding at
    least ``len(u)`` candidates and ``len(lines)`` lines) nothing of their size is allocated.
    """
    if not lines:
        return []
    k, n = len(lines), u.size
    if work is None:
        work = Arena()  # a one-off call
    grab = work.grab
    per_line_values = grab("refine:lines", (8, k), np.float64)  # per-line scratch, one row each
    angles, rhos = grab("refine:angles", (k,), np.float32), grab("refine:rhos", (k,), np.float32)
    for i, (a, r) in enumerate(lines):
        angles[i], rhos[i] = a, r
    sin_a = np.negative(
        np.sin(angles, out=grab("refine:sin", (k,), np.float32)),
        out=grab("refine:-sin", (k,), np.float32),
    )
    cos_a = np.cos(angles, out=grab("refine:cos", (k,), np.float32))
    # every line at once, in float32 as the vote: |u·(−sin a) + v·cos a − rho| per line and candidate,
    # the per-line values spread along rows by copies (a ufunc that broadcasts allocates its buffers)
    dist, part = grab("refine:dist", (k, n), np.float32), grab("refine:part", (k, n), np.float32)
    per_line = grab("refine:per_line", (k, n), np.float32)
    far, ww = grab("refine:far", (k, n), np.bool_), grab("refine:ww", (k, n), np.float64)
    np.copyto(dist, u[None, :])
    np.copyto(per_line, sin_a[:, None])
    np.multiply(dist, per_line, out=dist)
    np.copyto(part, v[None, :])
    np.copyto(per_line, cos_a[:, None])
    np.multiply(part, per_line, out=part)
    np.add(dist, part, out=dist)
    np.copyto(per_line, rhos[:, None])
    np.subtract(dist, per_line, out=dist)
    np.abs(dist, out=dist)
    np.greater(dist, np.float32(4.0), out=far)
    np.copyto(ww, w[None, :])
    np.copyto(ww, 0.0, where=far)
    # the weighted moments per line, each in its own buffer (the weights are whole numbers: their
    # sum is exact in any order, so OpenCV's row sums are numpy's)
    total = grab("refine:total", (k, 1), np.float64)
    cv2.reduce(ww, 1, cv2.REDUCE_SUM, dst=total)
    total = total[:, 0]
    uu, vv, square = grab("refine:uv", (3, n), np.float64)
    np.copyto(uu, u)
    np.copyto(vv, v)
    guard, cu, cv, suu, svv, suv, spread, axis = per_line_values
    np.maximum(total, 1e-12, out=guard)
    np.divide(np.matmul(ww, uu, out=cu), guard, out=cu)
    np.divide(np.matmul(ww, vv, out=cv), guard, out=cv)
    for moment, p, q in ((suu, uu, uu), (svv, vv, vv), (suv, uu, vv)):  # Σw·pq − total·cp·cq
        np.matmul(ww, np.multiply(p, q, out=square), out=moment)
        np.multiply(total, cu if p is uu else cv, out=spread)
        np.multiply(spread, cu if q is uu else cv, out=spread)
        np.subtract(moment, spread, out=moment)
    # direction of the major axis, ½·atan2(2·Suv, Suu − Svv) in (−π/2, π/2], then into depth: (0, π)
    np.arctan2(np.multiply(suv, 2.0, out=suv), np.subtract(suu, svv, out=suu), out=axis)
    np.multiply(axis, 0.5, out=axis)
    np.add(axis, np.pi, out=spread)
    np.copyto(axis, spread, where=np.less(axis, 0.0, out=grab("refine:negative", (k,), np.bool_)))
    np.greater(ww, 0.0, out=far)
    # (per line at once, as whole numbers in a buffer: a summed bool would allocate)
    counts = grab("refine:counts", (k, 1), np.int32)
    cv2.reduce(far.view(np.uint8), 1, cv2.REDUCE_SUM, dst=counts, dtype=cv2.CV_32S)
    out: list[tuple[float, float] | None] = []
    for i in range(k):
        if counts[i, 0] < 10:
            out.append(None)
            continue
        a = float(axis[i])
        out.append((a, -float(cu[i]) * math.sin(a) + float(cv[i]) * math.cos(a)))
    return out


def top_fraction_level(
    excess: np.ndarray, n: int, fraction: float, floor: float, work: NeedleBuffers | None = None
) -> float:
    """The lowest level reached by at most ``fraction`` of the ``n`` searched values, or ``floor``
    (0 to 255) where that is higher (histogram, no sort).

    Only levels from ``floor`` up can be the answer, so only those are counted: read as uint16, an
    int16 ``excess`` in [−255, 255] keeps its levels 0–255 and puts the negative ones above 65,000,
    outside the histogram's range, as the levels below the floor are (no shifted copy, no mask: the
    range alone leaves out what a mask of the values at the floor or above did — with OpenCV 5 the
    mask and its pass cost 2.7x the instructions of the histogram without it, and 1.6x its time).
    With ``work`` nothing is allocated."""
    low = math.ceil(floor)
    if not 0 <= low <= 255:
        raise ValueError(f"floor {floor} outside 0..255")
    bins = 256 - low
    hist = np.empty((bins, 1), np.float32) if work is None else work.hist[:bins]
    cv2.calcHist([excess.view(np.uint16)], [0], None, [bins], [low, 256], hist=hist)
    # from the top level down: from_top[j] = how many values reach level 255 - j
    from_top = np.empty(bins, np.float32) if work is None else work.cumulative[:bins]
    np.cumsum(hist[::-1, 0], out=from_top)
    # levels reached by more than the fraction are the lowest ones: count them
    # (the counts are whole numbers: c ≤ x exactly when c ≤ ⌊x⌋, which float32 holds exactly, so the
    # search does not cast the counts to float64)
    bound = np.float32(math.floor(max(1.0, fraction * n)))
    reached = int(np.searchsorted(from_top, bound, side="right"))
    if reached == bins:  # few enough values reach even the floor's level: the answer is below it
        return float(floor)
    return float(max(256 - reached, floor))


class Excess:
    """Grey level above the local tissue level, at full resolution, read only where asked (−255 outside
    the search).

    The level is the detector's half-resolution ``level`` map (each full-resolution pixel takes its
    half-resolution pixel's), or with ``level=None`` the row's mean ``row_level``. Read into
    ``work``'s buffers: one result per name, valid until that name is read again."""

    def __init__(
        self,
        image: np.ndarray,
        row_level: np.ndarray,
        search: np.ndarray,
        work: Arena,
        level: np.ndarray | None = None,
        half_index: np.ndarray | None = None,
    ) -> None:
        """``half_index``: each full-resolution pixel's half-resolution flat index (the image's size,
        flat; :class:`~sonocart.imaging.needle_buffers.NeedleBuffers` holds it), else worked out."""
        self.image, self.row_level, self.search, self.work = image.ravel(), row_level, search.ravel(), work
        self.width = image.shape[1]
        self.level = level
        self.half_index = half_index

    def at(self, key: str, flat: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """At the pixels of flat index ``flat`` (in rows ``rows``), float64."""
        grab = self.work.grab
        grey = np.take(self.image, flat, out=grab(key + ":grey", flat.shape, np.uint8), mode="clip")
        level = grab(key + ":level", flat.shape, np.float64)
        if self.level is None:
            np.take(self.row_level, rows, out=level, mode="clip")
        else:  # the half-resolution pixel (row // 2, column // 2)
            small = grab(key + ":small", flat.shape, np.intp)
            if self.half_index is not None:  # (one look-up, 5x fewer passes)
                np.take(self.half_index, flat, out=small, mode="clip")
            else:
                self._half_pixel(key, flat, rows, small)
            found = np.take(
                self.level.ravel(), small, out=grab(key + ":level32", flat.shape, np.float32), mode="clip"
            )
            np.copyto(level, found)
        inside = np.take(self.search, flat, out=grab(key + ":inside", flat.shape, np.bool_), mode="clip")
        value: np.ndarray = grab(key + ":excess", flat.shape, np.float64)
        np.copyto(value, grey)  # (a ufunc over mixed dtypes would allocate its cast buffers)
        np.subtract(value, level, out=value)
        np.copyto(value, -255.0, where=np.logical_not(inside, out=inside))
        return value

    def _half_pixel(self, key: str, flat: np.ndarray, rows: np.ndarray, small: np.ndarray) -> None:
        """The half-resolution flat index of each pixel ``flat`` (in rows ``rows``), into ``small``."""
        assert self.level is not None
        half = self.work.grab(key + ":half", flat.shape, np.intp)
        np.multiply(rows, self.width, out=small)
        np.subtract(flat, small, out=small)  # the column
        np.floor_divide(small, 2, out=small)
        np.floor_divide(rows, 2, out=half)
        np.multiply(half, self.level.shape[1], out=half)
        np.add(small, half, out=small)

    def against_rows(self, key: str, rows: np.ndarray) -> np.ndarray:
        """What :meth:`at` gave for ``key`` (read last, in rows ``rows``), against the row's mean
        instead of the local level: from the grey levels and search flags it read (float64)."""
        grab = self.work.grab
        grey, inside = grab(key + ":grey", rows.shape, np.uint8), grab(key + ":inside", rows.shape, np.bool_)
        level = np.take(
            self.row_level, rows, out=grab(key + ":row_level", rows.shape, np.float64), mode="clip"
        )
        value: np.ndarray = grab(key + ":row_excess", rows.shape, np.float64)
        np.copyto(value, grey)
        np.subtract(value, level, out=value)
        np.copyto(value, -255.0, where=inside)  # (at() left the flags negated: True outside the search)
        return value


def thick_regions(
    candidates: np.ndarray, diameter_px: float, work: NeedleBuffers | None = None
) -> np.ndarray:
    """Where a disc of ``diameter_px`` fits inside the candidates (a morphological opening).

    Wide discs (fine pixels: the linear probe) are fitted on every other pixel with half the
    disc — the cost of an opening grows with the disc — and the answer scaled back up. With
    ``work`` (of ``candidates``' shape) the answer is ``work.thick`` and nothing is allocated."""
    d = max(3, round(diameter_px))
    h, w = candidates.shape
    out = np.empty_like(candidates) if work is None else work.thick
    if d <= 8:
        if _no_disc_fits(candidates, d, out):
            out.fill(0)
        else:
            cv2.morphologyEx(candidates, cv2.MORPH_OPEN, disc(d), dst=out)
        return out
    if work is None:
        coarse = np.ascontiguousarray(candidates[::2, ::2])
        opened = np.empty_like(coarse)
    else:
        coarse, opened = work.coarse, work.coarse_open
        np.copyto(coarse, candidates[::2, ::2])
    small = max(3, round(diameter_px / 2))
    if _no_disc_fits(coarse, small, opened):
        out.fill(0)
        return out
    cv2.morphologyEx(coarse, cv2.MORPH_OPEN, disc(small), dst=opened)
    cv2.resize(opened, (w, h), dst=out, interpolation=cv2.INTER_NEAREST)
    return out


def _no_disc_fits(mask: np.ndarray, diameter_px: int, scratch: np.ndarray) -> bool:
    """Whether, for certain, no :func:`disc` of ``diameter_px`` fits inside ``mask`` (uint8, 0/1):
    not even the largest rectangle inside the disc does (an erosion by a rectangle, which OpenCV
    separates into rows and columns: several times faster than the disc's). Where the rectangle fits
    the disc may not: ``False`` says nothing. (The opening of a frame without a blob is then empty.)"""
    kernel, anchor = _rectangle_in_disc(diameter_px)
    # (the default border as in the opening's own erosion: outside the image counts as inside the mask)
    cv2.erode(mask, kernel, dst=scratch, anchor=anchor)
    return int(cv2.countNonZero(scratch)) == 0


@lru_cache(maxsize=8)
def _rectangle_in_disc(diameter_px: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The largest rectangle of ones inside :func:`disc` (``diameter_px``), as a kernel of ones and
    the anchor that puts it where it lies in the disc (whose anchor is its centre pixel): every
    offset of the rectangle is an offset of the disc, so wherever the disc fits, the rectangle does."""
    shape = disc(diameter_px).astype(bool)
    centre = diameter_px // 2  # (OpenCV's default anchor, for both axes)
    best = (0, 0, 0, 0, 0)  # area, first row, last row, first column, last column
    for r0 in range(diameter_px):
        for r1 in range(r0, diameter_px):
            columns: np.ndarray = np.all(shape[r0 : r1 + 1], axis=0)
            c0 = 0
            for c in range(diameter_px + 1):
                if c == diameter_px or not columns[c]:
                    area = (r1 - r0 + 1) * (c - c0)
                    if area > best[0]:
                        best = (area, r0, r1, c0, c - 1)
                    c0 = c + 1
    _, r0, r1, c0, c1 = best
    kernel = np.ones((r1 - r0 + 1, c1 - c0 + 1), np.uint8)
    kernel.setflags(write=False)
    return kernel, (centre - c0, centre - r0)


@lru_cache(maxsize=8)
def disc(diameter_px: int) -> np.ndarray:
    disc: np.ndarray = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (diameter_px, diameter_px))
    disc.setflags(write=False)
    return disc
