"""Runs of True along a line's samples: the longest, with short gaps bridged, of one mask or of every
row of many at once.

Pure functions on boolean arrays (no thresholds of their own), in an arena's named buffers
(:mod:`~sonocart.imaging.needle_buffers`); the needle detector finds a shaft's extent and its tip's
dense stretch with them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.needle_buffers import Arena

cv2: Any = _cv2


def longest_run(mask: np.ndarray, max_gap: int, work: Arena | None = None) -> tuple[int, int] | None:
    """(first, last) index of the longest run of True (the first of the longest), bridging gaps of up
    to ``max_gap`` samples; ``mask`` bool, 1-D and contiguous. In ``work``'s buffers (else a one-off
    arena's)."""
    m = int(np.count_nonzero(mask))
    if m == 0:
        return None
    grab = (Arena() if work is None else work).grab
    byte = mask.view(np.uint8)
    first, last = int(np.argmax(byte)), mask.size - 1 - last_argmax(byte, grab)  # (bytes: 8x faster)
    if last - first + 1 - m <= max_gap:  # all the gaps together are short: one run
        return first, last
    # (the True samples' indices as the columns of a one-row image's non-zero pixels, in order: into
    # a buffer, where np.flatnonzero would allocate them)
    points = cv2.findNonZero(byte.reshape(1, -1), grab("run:points", (m, 1, 2), np.int32))
    idx = grab("run:idx", (m,), np.int32)  # (contiguous: np.take copies a strided source)
    np.copyto(idx, points[:, 0, 0])
    big = np.greater(
        np.subtract(idx[1:], idx[:-1], out=grab("run:gaps", (m - 1,), np.int32)),
        max_gap + 1,
        out=grab("run:big", (m - 1,), np.bool_),
    )
    nb = int(np.count_nonzero(big))
    if nb == 0:
        return first, last
    # run j ends at the j-th break (the last run at the last index) and starts after the one before
    breaks = cv2.findNonZero(big.view(np.uint8).reshape(1, -1), grab("run:breaks", (nb, 1, 2), np.int32))
    at = grab("run:at", (nb,), np.intp)  # (as intp: np.take would cast int32 indices into a new array)
    np.copyto(at, breaks[:, 0, 0])
    ends, starts = grab("run:ends", (nb + 1,), np.int32), grab("run:starts", (nb + 1,), np.int32)
    idx.take(at, out=ends[:nb], mode="clip")
    ends[nb] = last
    idx[1:].take(at, out=starts[1:], mode="clip")  # (the index after each break)
    starts[0] = first
    k = int(np.subtract(ends, starts, out=grab("run:span", (nb + 1,), np.int32)).argmax())
    return int(starts[k]), int(ends[k])


def last_argmax(
    values: np.ndarray, grab: Callable[[str, tuple[int, ...], type[np.generic]], np.ndarray]
) -> int:
    """``np.argmax(values[::-1])`` (1-D): of a reversed copy in a buffer (numpy's argmax copies a
    reversed view itself, allocating)."""
    reversed_ = grab("argmax:reversed", values.shape, values.dtype.type)
    np.copyto(reversed_, values[::-1])
    return int(reversed_.argmax())


def longest_runs(work: Arena, lit: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``lit`` (bool, rows × samples): the first and last sample of its longest run of True
    (the first of the longest), gaps of up to ``max_gap`` samples bridged — what :func:`longest_run`
    finds on each row — or −1 where the row has none; all rows at once, in ``work``'s buffers.

    A gap is bridged when no window of ``max_gap + 1`` samples fits inside it: a morphological
    closing along the rows (a dilation whose window starts at each sample, then an erosion whose
    window ends there, on rows padded with zeros), whose runs are then compared by a whole-number key
    (length first, then the earlier start) taken per row in one maximum."""
    rows, n = lit.shape
    span = max_gap + 1
    width = span + n + 1
    padded = work.grab("runs:padded", (rows, width), np.uint8)
    padded[:, :span] = 0
    padded[:, span + n :] = 0
    np.copyto(padded[:, span : span + n], lit)
    kernel = _row_of_ones(span)
    hit = work.grab("runs:hit", (rows, width), np.uint8)  # a True in the span samples from here on
    cv2.dilate(padded, kernel, dst=hit, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    closed = work.grab("runs:closed", (rows, width), np.uint8)  # … for every window holding here
    cv2.erode(hit, kernel, dst=closed, anchor=(span - 1, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    # a run starts after a 0 and ends before one (the padding's zeros bound every run, so the rows
    # can be read as one: no run crosses from one row into the next); flat index i stands for the
    # sample after it (a start) or at it (an end)
    flat, size = closed.reshape(-1), rows * width
    starts = np.greater(flat[1:], flat[:-1], out=work.grab("runs:starts", (1, size - 1), np.bool_)[0])
    ends = np.greater(flat[:-1], flat[1:], out=work.grab("runs:ends", (1, size - 1), np.bool_)[0])
    first, last = work.grab("runs:first", (rows,), np.intp), work.grab("runs:last", (rows,), np.intp)
    m = int(np.count_nonzero(starts))
    if m == 0:
        first.fill(-1)
        last.fill(-1)
        return first, last
    # (in order: the k-th start and the k-th end are one run's)
    at_start = cv2.findNonZero(
        starts.view(np.uint8).reshape(1, -1), work.grab("runs:at_start", (m, 1, 2), np.int32)
    )
    at_end = cv2.findNonZero(
        ends.view(np.uint8).reshape(1, -1), work.grab("runs:at_end", (m, 1, 2), np.int32)
    )
    # key = 1 + length · width + (width − 1 − column of the start): the longest, then the earliest, is
    # the largest; written at each run's start into an image of the rows (0 elsewhere), whose row
    # maxima are then every row's best (whole numbers far below 2**53: exact in float64)
    key = work.grab("runs:key", (m,), np.float64)
    np.subtract(at_end[:, 0, 0], at_start[:, 0, 0], out=key)
    np.subtract(key, 1.0, out=key)  # the run's length, last − first
    np.multiply(key, float(width), out=key)
    place = work.grab("runs:place", (m,), np.intp)
    np.add(at_start[:, 0, 0], 1, out=place)  # the start's flat index
    column = work.grab("runs:column", (m,), np.float64)
    np.remainder(place, width, out=column)
    np.add(key, float(width), out=key)
    np.subtract(key, column, out=key)
    keys = work.grab("runs:keys", (rows, width), np.float64)
    keys.fill(0.0)
    np.put(keys, place, key)
    best = work.grab("runs:best", (rows, 1), np.float64)
    cv2.reduce(keys, 1, cv2.REDUCE_MAX, dst=best)
    # decoded (0: none): length = (key − 1) div width, start = width − 1 − (key − 1) mod width
    code = work.grab("runs:code", (rows,), np.intp)
    np.copyto(code, best[:, 0], casting="unsafe")  # (whole numbers)
    np.subtract(code, 1, out=code)
    np.floor_divide(code, width, out=last)
    np.remainder(code, width, out=first)
    np.subtract(width - 1 - span, first, out=first)  # the first sample
    np.add(last, first, out=last)
    none = np.less(code, 0, out=work.grab("runs:none", (rows,), np.bool_))
    np.copyto(first, -1, where=none)
    np.copyto(last, -1, where=none)
    return first, last


@lru_cache(maxsize=8)
def _row_of_ones(length: int) -> np.ndarray:
    ones = np.ones((1, length), np.uint8)
    ones.setflags(write=False)
    return ones
