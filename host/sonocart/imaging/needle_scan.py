"""Sampling many candidate lines at once: their half-resolution profiles, and whether each run is seen
from where its line enters the view.

What sampling each line on its own would give (the same values, float for float), in one pass of
array operations over all lines instead of some 40 numpy calls per line. Pure functions in display
pixels, thresholds passed in; every array is a named buffer of the caller's arena, valid until the
same names are used again.
"""

from __future__ import annotations

import math
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.needle_buffers import Arena
from sonocart.imaging.needle_lines import inside_span

cv2: Any = _cv2


def scan_lines(
    work: Arena,
    lines: list[tuple[float, float] | None],
    small_excess: np.ndarray,
    shape: tuple[int, int],
    across: np.ndarray,
) -> (
    tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    | None
):
    """Every line (angle, rho; ``None``: not sampled) of a full-resolution image of ``shape`` sampled
    every 2 pixels: (t, u, v, profile) per line and sample, and per line the first sample inside the
    image (2 px margin) and how many follow it (0: outside the image, or not sampled), then the
    values the profile is the largest of (line, sample, offset), and per line and sample whether it
    is one of those inside (one stretch per line); ``None`` when no line has a sample.
    ``profile`` is the largest of ``small_excess`` (the half-resolution image) at the ``across``
    offsets (full-resolution pixels) along the line's normal (−sin a, cos a).

    Per line this computes what sampling it alone would: ``t`` from the foot of its normal over
    the image (:func:`~sonocart.imaging.needle_lines.inside_span`), ``u, v = foot + t·(cos a, sin a)``."""
    h, w = shape
    k = len(lines)
    step = 2.0  # full-resolution pixels between samples along a line (one half-resolution pixel)
    geometry = work.grab("scan:geometry", (8, k), np.float64)  # start, delta, pu, pv, du, dv, nu, nv
    counts = work.grab("scan:counts", (k,), np.float64)
    geometry.fill(0.0)  # (a line not sampled stays a harmless 0, not last frame's values)
    for i, line in enumerate(lines):
        counts[i] = 0
        if line is None:
            continue
        angle, rho = line
        du, dv = math.cos(angle), math.sin(angle)
        pu, pv = rho * -dv, rho * du  # the foot of the normal (−sin a, cos a)
        start, stop = inside_span(pu, pv, du, dv, w, h)
        delta = (start + step) - start  # (as Arena.arange)
        n = max(0, math.ceil((stop - start) / step))
        if n == 0 or delta == 0.0:
            continue
        geometry[:, i] = (start, delta, pu, pv, du, dv, -dv, du)  # (one assignment: 8x fewer calls)
        counts[i] = n
    longest = int(counts.max(initial=0.0))
    if longest == 0:
        return None
    t = work.arange("scan:iota", 0.0, float(longest), 1.0)
    t_all = work.grab("scan:t", (k, longest), np.float64)
    u_all, v_all = (
        work.grab("scan:u", (k, longest), np.float64),
        work.grab("scan:v", (k, longest), np.float64),
    )
    # (a ufunc that broadcasts allocates its iterator's buffers; a broadcasting copy does not: each
    # per-line value is first copied out along its row)
    per_line = work.grab("scan:per_line", (k, longest), np.float64)

    def along_rows_of(values: np.ndarray, like: np.ndarray) -> np.ndarray:
        spread_small = work.grab("scan:per_line_small", like.shape, np.float64)
        np.copyto(spread_small, values[:, None])
        return spread_small

    def along_rows(values: np.ndarray) -> np.ndarray:
        np.copyto(per_line, values[:, None])
        return per_line

    np.copyto(t_all, t[None, :])
    np.multiply(t_all, along_rows(geometry[1]), out=t_all)
    np.add(t_all, along_rows(geometry[0]), out=t_all)
    for out, p, d in ((u_all, geometry[2], geometry[4]), (v_all, geometry[3], geometry[5])):
        np.multiply(t_all, along_rows(d), out=out)
        np.add(out, along_rows(p), out=out)
    ok, test = work.grab("scan:ok", (k, longest), np.bool_), work.grab("scan:test", (k, longest), np.bool_)
    sample = work.grab("scan:sample", (k, longest), np.float64)
    np.copyto(sample, t[None, :])
    np.less(sample, along_rows(counts), out=ok)  # (a line's own samples only)
    for values, lo, hi in ((u_all, 2.0, w - 3.0), (v_all, 2.0, h - 3.0)):
        np.logical_and(ok, np.greater_equal(values, lo, out=test), out=ok)
        np.logical_and(ok, np.less(values, hi, out=test), out=ok)
    inside = work.grab("scan:inside", (k,), np.intp)
    first = work.grab("scan:first", (k,), np.intp)
    for i in range(k):
        inside[i] = np.count_nonzero(ok[i])
    np.argmax(ok.view(np.uint8), axis=1, out=first)  # (the first True: 8x faster on bytes than bools)
    # across each line, at half resolution: rint(½·(u + offset·n)) per line, sample and offset, as
    # ½u + ½·offset·n (halving is exact in binary floating point, so the sum rounds to the same
    # value), spread over (sample, offset) by one batched product with 1s — a·1 + 1·b is the one
    # rounding of a + b — which costs less than two broadcasting copies and an add
    half, small = across, small_excess
    sh, sw = small.shape
    shape3 = (k, longest, half.size)
    # (½u or ½v, 1) per sample, stored (line, 2, sample) so that each is written in one contiguous pass
    halves = work.grab("scan:halves", (k, 2, longest), np.float64)
    shifts = work.grab("scan:shifts", (k, 2, half.size), np.float64)  # (1, ½·offset·n) per offset
    halves[:, 1, :] = 1.0
    shifts[:, 0, :] = 1.0
    cols, rows = work.grab("scan:cols", shape3, np.float64), work.grab("scan:rows", shape3, np.float64)
    shift = work.grab("scan:shift", (k, half.size), np.float64)
    for along, normal, limit, out in ((u_all, geometry[6], sw, cols), (v_all, geometry[7], sh, rows)):
        np.multiply(along, 0.5, out=per_line)  # (into a strided view a ufunc would allocate buffers)
        np.copyto(halves[:, 0, :], per_line)
        np.copyto(shift, half[None, :])
        np.multiply(shift, along_rows_of(normal, shift), out=shift)
        np.multiply(shift, 0.5, out=shift)
        shifts[:, 1, :] = shift
        np.matmul(halves.transpose(0, 2, 1), shifts, out=out)
        np.rint(out, out=out)
        np.clip(out, 0.0, limit - 1.0, out=out)  # (in floating point: whole numbers, clipped exactly)
    np.multiply(rows, float(sw), out=rows)  # (exact: whole numbers far below 2**53)
    np.add(rows, cols, out=rows)
    flat = work.grab("scan:flat", shape3, np.intp)
    np.copyto(flat, rows, casting="unsafe")
    values = small.ravel().take(flat, out=work.grab("scan:x", shape3, np.int16), mode="clip")
    # the largest across, one offset at a time (a reduction over a short last axis is 4x slower; the
    # strided slices cost a 1 kB buffer)
    profile = work.grab("scan:max", (k, longest), np.int16)
    np.copyto(profile, values[:, :, 0])
    for j in range(1, half.size):
        np.maximum(profile, values[:, :, j], out=profile)
    return t_all, u_all, v_all, profile, first, inside, values, ok


def centreline_fit(
    work: Arena, values: np.ndarray, across: np.ndarray, t: np.ndarray, bright: np.ndarray, floor: float
) -> tuple[float, float]:
    """The straight fit of the weighted centre across a run: (RMS departure from it in pixels, its
    slope across per pixel along). At each ``bright`` sample (``t`` along the line) the centre is the
    mean of the ``across`` offsets weighted by what ``values`` (sample × offset) stand above
    ``floor``; (0, 0) for fewer than 3 such samples."""
    n = t.size
    if n < 3:
        return 0.0, 0.0
    weight = work.grab("wobble:weight", values.shape, np.float64)
    np.copyto(weight, values)
    np.subtract(weight, floor, out=weight)
    np.maximum(weight, 0.0, out=weight)
    # (OpenCV's row sums: numpy's over a short last axis are 7x slower; this fit only gates a line)
    total = work.grab("wobble:total", (n,), np.float64)
    cv2.reduce(weight, 1, cv2.REDUCE_SUM, dst=total.reshape(-1, 1))
    centre = np.matmul(weight, across, out=work.grab("wobble:centre", (n,), np.float64))
    lit = np.greater(total, 0.0, out=work.grab("wobble:lit", (n,), np.bool_))
    np.logical_and(lit, bright, out=lit)
    m = int(np.count_nonzero(lit))
    if m < 3:
        return 0.0, 0.0
    # (the lit samples' indices as the columns of a one-row image's non-zero pixels, in order: into
    # a buffer, where np.compress would allocate them)
    points = cv2.findNonZero(
        lit.view(np.uint8).reshape(1, n), work.grab("wobble:points", (m, 1, 2), np.int32)
    )
    at = work.grab("wobble:at", (m,), np.intp)
    np.copyto(at, points[:, 0, 0])
    x = t.take(at, out=work.grab("wobble:x", (m,), np.float64), mode="clip")
    y = centre.take(at, out=work.grab("wobble:y", (m,), np.float64), mode="clip")
    # (the centre only where lit: there the weights add up to 0.5 at least — whole levels above a floor
    # of whole or half levels — so no guard against 0 is needed)
    np.divide(y, total.take(at, out=work.grab("wobble:total_lit", (m,), np.float64), mode="clip"), out=y)
    np.subtract(x, float(x.sum()) / m, out=x)
    sxx, sxy, my = float(x @ x), float(x @ y), float(y.sum()) / m
    slope = sxy / sxx if sxx > 1e-12 else 0.0
    # residual variance of the least-squares line: (Σ(y − ȳ)² − b·Σx(y − ȳ)) / m
    np.subtract(y, my, out=y)
    return math.sqrt(max(float(y @ y) - slope * sxy, 0.0) / m), slope


def seen_from_entry(
    work: Arena, search: np.ndarray, ends: list[tuple[float, float, float]], limit_px: float
) -> list[bool]:
    """For each upper end (u, v, line angle a) of a run: whether the line traced back up from it,
    along −(cos a, sin a), leaves ``search`` within ``limit_px`` (pixel steps: what
    :func:`~sonocart.imaging.needle_lines.hidden_run_mm` answers for one, for all at once)."""
    h, w = search.shape
    n = len(ends)
    steps = work.arange("entry:k", 1.0, min(math.hypot(h, w), limit_px + 3.0), 1.0)
    shape = (n, steps.size)
    cols, rows = work.grab("entry:u", shape, np.float64), work.grab("entry:v", shape, np.float64)
    ok, test = work.grab("entry:ok", shape, np.bool_), work.grab("entry:test", shape, np.bool_)
    ok.fill(True)
    # rint(start − k·d) per end and step, as hidden_run_mm: (start, d) · (1, −k), one rounding of
    # start − k·d, in one batched product
    ends_d = work.grab("entry:ends", (n, 2), np.float64)
    back = work.grab("entry:back", (2, steps.size), np.float64)
    back[0] = 1.0
    np.negative(steps, out=back[1])
    for out, limit, which in ((cols, w, 0), (rows, h, 1)):
        for i, end in enumerate(ends):
            ends_d[i, 0] = end[which]
            ends_d[i, 1] = math.cos(end[2]) if which == 0 else math.sin(end[2])
        np.matmul(ends_d, back, out=out)
        np.rint(out, out=out)
        np.logical_and(ok, np.greater_equal(out, 0.0, out=test), out=ok)
        np.logical_and(ok, np.less(out, float(limit), out=test), out=ok)
        np.clip(out, 0.0, limit - 1.0, out=out)
    np.multiply(rows, float(w), out=rows)  # (whole numbers: exact)
    np.add(rows, cols, out=rows)
    flat = work.grab("entry:flat", shape, np.intp)
    np.copyto(flat, rows, casting="unsafe")
    np.logical_and(ok, search.ravel().take(flat, out=test, mode="clip"), out=ok)
    # the first step outside, per end (argmin finds a False; where there is none it points at a True)
    outside = np.argmin(ok.view(np.uint8), axis=1, out=work.grab("entry:first", (n,), np.intp))
    seen = []
    for i in range(n):
        first = int(outside[i])
        seen.append((steps.size if ok[i, first] else first) <= limit_px)
    return seen
