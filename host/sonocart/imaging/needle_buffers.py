"""The needle detector's per-frame arrays, allocated once per image size and written in place.

The candidate stage (excess over the row mean, candidate mask, layer and blob
masks, the candidate list, the shadow test, the Hough vote and the line refit)
runs entirely in these buffers: numpy ``out=`` and OpenCV ``dst=`` arguments,
``np.take(..., mode="clip")`` instead of fancy indexing, views sliced to the
frame's candidate count. What is left per frame is the few array headers and
scalars Python itself needs, and the short per-line samples of the checks
along each candidate line (:mod:`sonocart.imaging.needle`).
"""

from __future__ import annotations

import math
from typing import Any

import cv2 as _cv2
import numpy as np

cv2: Any = _cv2


class NeedleBuffers:
    """Work arrays for one full-resolution image shape (``h``, ``w``); ``small`` is every other pixel."""

    def __init__(self, shape: tuple[int, int], n_angles: int, max_candidates: int, n_peaks: int) -> None:
        h, w = shape
        sh, sw = (h + 1) // 2, (w + 1) // 2
        ch, cw = (sh + 1) // 2, (sw + 1) // 2
        self.shape, self.small_shape = shape, (sh, sw)
        self.rho_max = math.hypot(h, w)
        self.n_rho = int(self.rho_max) + 2
        # rows and levels
        self.row_sum = np.empty(sh, np.int64)
        self.rows = np.empty(sh, np.float64)
        self.rows16 = np.empty(sh, np.int16)
        self.row_level = np.empty(h, np.float64)
        # half-resolution planes
        self.excess = np.empty((sh, sw), np.int16)
        self.shifted = np.empty((sh, sw), np.int16)
        self.hist = np.empty((512, 1), np.float32)
        self.cumulative = np.empty(512, np.float32)
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
        n = max_candidates
        self.us = np.empty(n, np.intp)  # full-resolution pixel of each candidate
        self.vs = np.empty(n, np.intp)
        self.u32 = np.empty(n, np.float32)
        self.v32 = np.empty(n, np.float32)
        self.u64 = np.empty(n, np.float64)
        self.v64 = np.empty(n, np.float64)
        self.weights = np.empty(n, np.float64)
        # the shadow test: three depths above and below each candidate
        self.idx3 = np.empty((n, 3), np.intp)
        self.val3 = np.empty((n, 3), np.uint8)
        self.below = np.empty(n, np.float64)
        self.above = np.empty(n, np.float64)
        self.scratch = np.empty(n, np.float64)
        self.flag_a = np.empty(n, np.bool_)
        self.flag_b = np.empty(n, np.bool_)
        # the Hough vote
        self.rho = np.empty((n, n_angles), np.float32)
        self.rho_v = np.empty((n, n_angles), np.float32)
        self.cells = np.empty((n, n_angles), np.intp)
        self.vote_weights = np.empty((n, n_angles), np.float64)
        self.cell_offsets = (np.arange(n_angles, dtype=np.intp) * self.n_rho)[None, :]
        self.votes = np.empty(n_angles * self.n_rho, np.float64)
        self.best = np.empty(n_angles, np.float64)
        # the refit of each Hough line
        self.dist = np.empty((n_peaks, n), np.float32)
        self.dist_v = np.empty((n_peaks, n), np.float32)
        self.near = np.empty((n_peaks, n), np.bool_)
        self.ww = np.empty((n_peaks, n), np.float64)
        self.square = np.empty(n, np.float64)

        #: per-line samples (their length depends on the line): grown to the longest line seen
        self._arena: dict[str, np.ndarray] = {}

    def matches(self, shape: tuple[int, ...]) -> bool:
        return self.shape == shape

    def grab(self, key: str, shape: tuple[int, ...], dtype: type[np.generic]) -> np.ndarray:
        """A C-contiguous ``shape`` view of the buffer named ``key``, grown (once) when too small.

        Each name is one quantity: a view stays valid until the same name is grabbed again."""
        size = math.prod(shape)
        buffer = self._arena.get(key)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = np.empty(max(size, 1024), dtype)
            self._arena[key] = buffer
        return buffer[:size].reshape(shape)

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
        scratch = self.grab(key + ":f", shape, np.float64)
        cols, rows = self.grab(key + ":u", shape, np.intp), self.grab(key + ":v", shape, np.intp)
        for along, n, limit, out in ((base_u, nu, w, cols), (base_v, nv, h, rows)):
            np.multiply(offsets[None, :], n, out=scratch)
            np.add(along[:, None], scratch, out=scratch)
            if scale != 1.0:
                np.multiply(scratch, scale, out=scratch)
            np.rint(scratch, out=scratch)
            np.copyto(out, scratch, casting="unsafe")
            np.maximum(out, 0, out=out)
            np.minimum(out, limit - 1, out=out)
        flat = self.grab(key + ":flat", shape, np.intp)
        np.multiply(rows, w, out=flat)
        np.add(flat, cols, out=flat)
        return flat, rows
