"""The needle detector's per-frame arrays, allocated once per image size and written in place.

The candidate stage (excess over the row mean, candidate mask, layer and blob
masks, the candidate list, the shadow test, the Hough vote and the line refit)
runs entirely in these buffers: numpy ``out=`` and OpenCV ``dst=`` arguments,
``np.take(..., mode="clip")`` instead of fancy indexing, views sliced to the
frame's candidate count; the checks along each candidate line work in the
:class:`Arena`'s named buffers. What is left per frame is the array headers and
scalars Python itself needs and a few short arrays numpy returns where it takes
no ``out=`` (about 8.1 kB at the peak, 5.2 kB of it the vote's ``np.add.at``: docs/performance.md).
"""

from __future__ import annotations

import math
from typing import Any

import cv2 as _cv2
import numpy as np

cv2: Any = _cv2


class Arena:
    """Named buffers for the samples along one line (their length depends on the line), grown to the
    longest line seen and then reused."""

    def __init__(self) -> None:
        #: per name: its buffer and the dtype it holds (compared by identity: faster than a dtype's ==)
        self._arena: dict[str, tuple[np.ndarray, type[np.generic]]] = {}
        self._iota = np.arange(1024, dtype=np.float64)

    def grab(self, key: str, shape: tuple[int, ...], dtype: type[np.generic]) -> np.ndarray:
        """A C-contiguous ``shape`` view of the buffer named ``key``, grown (once) when too small.

        Each name is one quantity: a view stays valid until the same name is grabbed again. (The
        view is not kept here: held until the next grab, some 200 views would stay allocated.)"""
        one_axis = len(shape) == 1
        size = shape[0] if one_axis else math.prod(shape)
        entry = self._arena.get(key)
        if entry is None or entry[1] is not dtype or entry[0].size < size:
            entry = (np.empty(max(size, 1024), dtype), dtype)
            self._arena[key] = entry
        # (a slice is already the 1-D view: no reshape, which costs as much again)
        return entry[0][:size] if one_axis else entry[0][:size].reshape(shape)

    def arange(self, key: str, start: float, stop: float, step: float) -> np.ndarray:
        """``np.arange(start, stop, step)`` (float64, the same values: start + i·(start + step − start))."""
        delta = (start + step) - start
        count = max(0, math.ceil((stop - start) / step))
        if count == 0 or delta == 0.0:
            return self.grab(key, (0,), np.float64)
        if self._iota.size < count:
            self._iota = np.arange(count, dtype=np.float64)
        out = self.grab(key, (count,), np.float64)
        np.multiply(self._iota[:count], delta, out=out)
        np.add(out, start, out=out)
        return out

    def along(
        self,
        key: str,
        t: np.ndarray,
        origin: tuple[float, float],
        direction: tuple[float, float],
        offset: tuple[float, float, float, float] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``origin + t·direction`` (u, v), plus ``(a + b·t)·normal`` if ``offset`` = (a, b, nu, nv)."""
        u, v = self.grab(key + ":u", t.shape, np.float64), self.grab(key + ":v", t.shape, np.float64)
        part = self.grab(key + ":part", t.shape, np.float64)
        for out, p, d, k in ((u, origin[0], direction[0], 2), (v, origin[1], direction[1], 3)):
            np.multiply(t, d, out=out)
            np.add(out, p, out=out)
            if offset is not None:
                np.multiply(t, offset[1], out=part)
                np.add(part, offset[0], out=part)
                np.multiply(part, offset[k], out=part)
                np.add(out, part, out=out)
        return u, v

    def inside(
        self,
        key: str,
        u: np.ndarray,
        v: np.ndarray,
        u_range: tuple[float, float],
        v_range: tuple[float, float],
    ) -> slice | None:
        """The samples with ``lo <= u < hi`` and the same for ``v`` — one stretch of a straight line."""
        ok, test = self.grab(key + ":ok", u.shape, np.bool_), self.grab(key + ":test", u.shape, np.bool_)
        np.greater_equal(u, u_range[0], out=ok)
        np.logical_and(ok, np.less(u, u_range[1], out=test), out=ok)
        np.logical_and(ok, np.greater_equal(v, v_range[0], out=test), out=ok)
        np.logical_and(ok, np.less(v, v_range[1], out=test), out=ok)
        count = int(np.count_nonzero(ok))
        if count == 0:
            return None
        first = int(np.argmax(ok))
        return slice(first, first + count)

    def pixels(
        self, key: str, cols: np.ndarray, rows: np.ndarray, size: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(flat index, whether in the image) of the pixels at the whole-number ``cols`` and ``rows``
        (float64, overwritten: clipped into an image of ``size`` = (h, w)); a pixel outside is
        indexed at the nearest edge pixel."""
        h, w = size
        ok, test = (
            self.grab(key + ":ok", cols.shape, np.bool_),
            self.grab(key + ":test", cols.shape, np.bool_),
        )
        ok.fill(True)
        for place, limit in ((cols, w), (rows, h)):
            np.logical_and(ok, np.greater_equal(place, 0.0, out=test), out=ok)
            np.logical_and(ok, np.less(place, float(limit), out=test), out=ok)
            np.clip(place, 0.0, limit - 1.0, out=place)
        np.multiply(rows, float(w), out=rows)  # (whole numbers far below 2**53: exact)
        np.add(rows, cols, out=rows)
        flat = self.grab(key + ":flat", cols.shape, np.intp)
        np.copyto(flat, rows, casting="unsafe")
        return flat, ok

    def band_pixels(
        self,
        key: str,
        base: tuple[np.ndarray, np.ndarray],
        offsets: np.ndarray,
        normal: tuple[float, float],
        scale: float,
        size: tuple[int, int],
    ) -> tuple[np.ndarray, np.ndarray]:
        """(flat index, row) of ``rint((base + offset·normal)·scale)`` per sample and offset, clipped
        into an image of ``size`` = (h, w): what ``np.rint(...).astype(np.intp).clip(...)`` gives."""
        (base_u, base_v), (nu, nv), (h, w) = base, normal, size
        shape = (base_u.size, offsets.size)
        # base + offset·n per sample and offset as (base, 1) · (1, offset·n): one batched product whose
        # a·1 + 1·b is the one rounding of the sum, as a broadcasting copy and an add would give
        bases = self.grab(key + ":bases", (base_u.size, 2), np.float64)
        shifts = self.grab(key + ":shifts", (2, offsets.size), np.float64)
        bases[:, 1] = 1.0
        shifts[0] = 1.0
        cols, rows = self.grab(key + ":uf", shape, np.float64), self.grab(key + ":vf", shape, np.float64)
        for along, n, limit, out in ((base_u, nu, w, cols), (base_v, nv, h, rows)):
            np.copyto(bases[:, 0], along)
            np.multiply(offsets, n, out=shifts[1])
            np.matmul(bases, shifts, out=out)
            if scale != 1.0:
                np.multiply(out, scale, out=out)
            np.rint(out, out=out)
            np.clip(out, 0.0, limit - 1.0, out=out)  # (whole numbers: clipped exactly, as after the cast)
        row = self.grab(key + ":v", shape, np.intp)
        np.copyto(row, rows, casting="unsafe")
        np.multiply(rows, float(w), out=rows)  # (whole numbers far below 2**53: exact)
        np.add(rows, cols, out=rows)
        flat = self.grab(key + ":flat", shape, np.intp)
        np.copyto(flat, rows, casting="unsafe")
        return flat, row


class NeedleBuffers(Arena):
    """Work arrays for one full-resolution image shape (``h``, ``w``); ``small`` is every other pixel."""

    def __init__(
        self, shape: tuple[int, int], normals: tuple[np.ndarray, np.ndarray], max_candidates: int
    ) -> None:
        """``normals``: (−sin a, cos a) of the Hough angles (float32); at most ``max_candidates`` vote."""
        super().__init__()
        h, w = shape
        sh, sw = (h + 1) // 2, (w + 1) // 2
        ch, cw = (sh + 1) // 2, (sw + 1) // 2
        self.shape = shape
        self.rho_max = math.hypot(h, w)
        self.n_rho = int(self.rho_max) + 2
        # rows and levels
        # (a column, as OpenCV's row reduction writes it; exact: a row of under 65,000 grey levels sums
        # below 2**24)
        self.row_sum = np.empty((sh, 1), np.float32)
        self.masked = np.empty((sh, sw), np.float32)
        self.rows = np.empty(sh, np.float64)
        self.row_level = np.empty(h, np.float64)
        self.tissue = np.empty((sh, sw), np.float32)  # 1 where grey ≥ the detector's BLACK
        self.quarter = np.empty((ch, cw), np.float32)  # quarter resolution: the local level's grid
        self.quarter_sum = np.empty((ch, cw), np.float32)
        self.quarter_share = np.empty((ch, cw), np.float32)
        self.rows32 = np.empty((sh, 1), np.float32)
        self.level = np.empty((sh, sw), np.float32)  # the local tissue level, at half resolution
        self.level16 = np.empty((sh, sw), np.int16)
        #: each full-resolution pixel's half-resolution flat index, (row // 2)·sw + column // 2 (flat)
        self.half_index = (
            (np.arange(h, dtype=np.intp) // 2)[:, None] * sw + (np.arange(w, dtype=np.intp) // 2)[None, :]
        ).ravel()
        # half-resolution planes
        self.excess = np.empty((sh, sw), np.int16)
        self.shifted = np.empty((sh, sw), np.int16)
        self.hist = np.empty((256, 1), np.float32)
        self.cumulative = np.empty(256, np.float32)
        self.candidates = np.empty((sh, sw), np.bool_)
        self.layers = np.empty((sh, sw), np.uint8)
        self.thick = np.empty((sh, sw), np.uint8)
        self.coarse = np.empty((ch, cw), np.uint8)
        self.coarse_open = np.empty((ch, cw), np.uint8)
        self.kept = np.empty((sh, sw), np.bool_)
        # the candidate list: at most every half-resolution pixel before the strongest are kept
        self.points = np.empty((sh * sw, 1, 2), np.int32)
        self.flat = np.empty(sh * sw, np.intp)
        self.values = np.empty(sh * sw, np.int16)
        self.us = np.empty(sh * sw, np.intp)  # half-resolution pixel of each candidate
        self.vs = np.empty(sh * sw, np.intp)
        n = max_candidates
        self.u_full = np.empty(n, np.intp)  # full-resolution pixel of each candidate
        self.v_full = np.empty(n, np.intp)
        self.kept_at = np.empty(n, np.intp)  # the candidates without a shadow below, and their pixels
        self.u_kept = np.empty(n, np.intp)
        self.v_kept = np.empty(n, np.intp)
        self.values_kept = np.empty(n, np.int16)
        n_angles = normals[0].size
        self.uv = np.ones((n, 3), np.float32)  # (u, v, 1) per candidate
        #: ½·normal and ½·rho_max per angle: uv · normals = ½·(rho + rho_max), the rho cell in float
        self.normals = np.stack(
            [0.5 * normals[0], 0.5 * normals[1], np.full_like(normals[0], 0.5 * self.rho_max)]
        )
        self.u32 = np.empty(n, np.float32)
        self.v32 = np.empty(n, np.float32)
        self.weights = np.empty(n, np.float64)
        # the shadow test: three depths above and below each candidate
        self.below = np.empty(n, np.float64)
        self.above = np.empty(n, np.float64)
        self.scratch = np.empty(n, np.float64)
        self.flag_a = np.empty(n, np.bool_)
        self.flag_b = np.empty(n, np.bool_)
        # the Hough vote
        self.rho = np.empty((n, n_angles), np.float32)
        self.cells = np.empty((n, n_angles), np.intp)
        # (float32: the weights are whole numbers under 512 and at most max_candidates of them, so
        # every sum stays exact below 2**24, and the table is half the memory to add into)
        self.vote_weights = np.empty((n, n_angles), np.float32)
        self.weights32 = np.empty(n, np.float32)  # each candidate's weight, cast once before it is spread
        self.cell_offsets = np.empty((n, n_angles), np.intp)
        self.cell_offsets[:] = np.arange(n_angles, dtype=np.intp) * self.n_rho  # each angle's row
        self.votes = np.empty(n_angles * self.n_rho, np.float32)
        self.best = np.empty(n_angles, np.float32)

    def matches(self, shape: tuple[int, ...]) -> bool:
        return self.shape == shape
