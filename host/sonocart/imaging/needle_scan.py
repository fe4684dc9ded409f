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
    # (every line's count in one row reduction: whole numbers, exact; k count_nonzero calls cost more)
    counted = work.grab("scan:counted", (k, 1), np.int32)
    cv2.reduce(ok.view(np.uint8), 1, cv2.REDUCE_SUM, dst=counted, dtype=cv2.CV_32S)
    np.copyto(inside, counted[:, 0])
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


def centreline_fits(
    work: Arena,
    values: np.ndarray,
    across: np.ndarray,
    t: np.ndarray,
    bright: np.ndarray,
    floor: float,
    runs: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Every line's straight fit of the weighted centre across its run, all lines at once: per line
    (RMS departure from the fit in pixels, its slope across per pixel along), (0, 0) for fewer than 3
    samples. Line k's run is its samples ``runs[0][k]`` to ``runs[1][k]`` (−1: none); at each of them
    that is ``bright`` (line × sample; ``t`` along the line) the centre is the mean of the ``across``
    offsets weighted by what ``values`` (line × sample × offset) stand above ``floor``.

    One pass of array operations over the lines' samples (the per-line sums by OpenCV's row
    reductions) instead of some 25 numpy calls per line; the sums are taken in another order than
    one line's fit would take them, so the results may differ in their last bits."""
    first, last = runs
    k = values.shape[0]
    grab = work.grab
    wobble, slope = grab("fits:wobble", (k,), np.float64), grab("fits:slope", (k,), np.float64)
    wobble.fill(0.0)
    slope.fill(0.0)
    hi = int(last.max(initial=-1))
    if hi < 0:
        return wobble, slope
    lo = hi
    for i in range(k):  # the earliest run start (a generator here would be one more allocation)
        if 0 <= first[i] < lo:
            lo = int(first[i])
    # (only the samples from the earliest run start to the latest run end are read; copied out
    # whole, as a ufunc over an operand strided in two dimensions allocates its iterator's buffers)
    n, o = hi + 1 - lo, values.shape[2]
    shape = (k, n)
    t_in, bright_in = grab("fits:t", shape, np.float64), grab("fits:bright", shape, np.bool_)
    np.copyto(t_in, t[:, lo : hi + 1])
    np.copyto(bright_in, bright[:, lo : hi + 1])
    values, t, bright = values[:, lo : hi + 1], t_in, bright_in
    weight = grab("fits:weight", (k, n, o), np.float64)
    np.copyto(weight, values)
    np.subtract(weight, floor, out=weight)
    np.maximum(weight, 0.0, out=weight)
    by_sample = weight.reshape(k * n, o)
    total = grab("fits:total", shape, np.float64)
    cv2.reduce(by_sample, 1, cv2.REDUCE_SUM, dst=total.reshape(-1, 1))
    centre = grab("fits:centre", shape, np.float64)
    np.matmul(by_sample, across, out=centre.reshape(-1))
    # lit: in its line's run, bright, and something above the floor there
    per_line = grab("fits:per_line", (k,), np.float64)
    spread, sample = grab("fits:spread", shape, np.float64), grab("fits:sample", shape, np.float64)
    # (a ufunc that broadcasts allocates its iterator's buffers: per-line values are copied out along
    # the rows first)
    np.copyto(sample, work.arange("fits:iota", float(lo), float(hi + 1), 1.0)[None, :])
    lit, test = grab("fits:lit", shape, np.bool_), grab("fits:test", shape, np.bool_)
    np.copyto(per_line, first)
    np.copyto(spread, per_line[:, None])
    np.greater_equal(sample, spread, out=lit)
    np.copyto(per_line, last)
    np.copyto(spread, per_line[:, None])
    np.logical_and(lit, np.less_equal(sample, spread, out=test), out=lit)
    np.logical_and(lit, np.greater(total, 0.0, out=test), out=lit)
    np.logical_and(lit, bright, out=lit)
    on = grab("fits:on", shape, np.float64)  # 1 where lit, else 0
    np.copyto(on, lit)
    # the centre where lit (there the weights add up to 0.5 at least — whole levels above a floor of
    # whole or half levels — so a guard of 0.5 changes nothing there), 0 elsewhere
    y = np.maximum(total, 0.5, out=total)
    np.divide(centre, y, out=y)
    np.multiply(y, on, out=y)

    m = _row_sums(work, on, "fits:m")
    count = np.maximum(m, 1.0, out=grab("fits:count", (k,), np.float64))
    x = np.multiply(t, on, out=centre)
    mean = np.divide(_row_sums(work, x, "fits:sx"), count, out=per_line)  # each line's mean t where lit
    np.copyto(spread, mean[:, None])
    np.subtract(t, spread, out=x)
    np.multiply(x, on, out=x)  # t − its mean where lit, else 0
    product = np.multiply(x, x, out=sample)
    sxx = _row_sums(work, product, "fits:sxx")
    sxy = _row_sums(work, np.multiply(x, y, out=product), "fits:sxy")
    np.divide(_row_sums(work, y, "fits:sy"), count, out=per_line)  # each line's mean centre where lit
    np.copyto(spread, per_line[:, None])
    np.subtract(y, spread, out=y)
    np.multiply(y, on, out=y)
    syy = _row_sums(work, np.multiply(y, y, out=product), "fits:syy")
    for i in range(k):
        if m[i] < 3:
            continue
        b = float(sxy[i]) / float(sxx[i]) if sxx[i] > 1e-12 else 0.0
        # residual variance of the least-squares line: (Σ(y − ȳ)² − b·Σx(y − ȳ)) / m
        slope[i] = b
        wobble[i] = math.sqrt(max(float(syy[i]) - b * float(sxy[i]), 0.0) / float(m[i]))
    return wobble, slope


def _row_sums(work: Arena, rows: np.ndarray, name: str) -> np.ndarray:
    """Each row's sum of ``rows`` (float64, lines × samples) into the buffer ``name`` (OpenCV's row
    reduction: numpy's over an axis allocates its buffers)."""
    out = work.grab(name, (rows.shape[0], 1), np.float64)
    cv2.reduce(rows, 1, cv2.REDUCE_SUM, dst=out)
    return out[:, 0]


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
