"""The rejected alternative: exact polar bilinear scan conversion in plain numpy, zero-allocation.

Four gathers and the weighted sum per pixel in preallocated float32 buffers — the
fastest numpy formulation we found. ``make bench`` times it beside ``cv2.remap`` so the
choice of OpenCV for the live path is measured, not assumed (docs/performance.md).
"""

from __future__ import annotations

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.scanconvert import conversion_tables


class NumpyBilinear:
    def __init__(self, geometry: Geometry, n_lines: int, n_samples: int, width: int, height: int) -> None:
        t = conversion_tables(geometry, n_lines, n_samples, width, height)
        self.out = np.zeros((height, width), np.uint8)
        self._bands = []
        for b in t.bands:
            li, si = b.map_line.ravel().astype(np.float64), b.map_sample.ravel().astype(np.float64)
            ok = li >= 0
            l0 = np.clip(np.floor(li), 0, n_lines - 2).astype(np.intp)
            s0 = np.clip(np.floor(si), 0, n_samples - 2).astype(np.intp)
            fl = np.where(ok, li - l0, 0).astype(np.float32)
            fs = np.where(ok, si - s0, 0).astype(np.float32)
            base = np.where(ok, l0 * n_samples + s0, 0).astype(np.intp)
            w = [(1 - fl) * (1 - fs) * ok, (1 - fl) * fs, fl * (1 - fs), fl * fs]
            idx = [base, base + 1, base + n_samples, base + n_samples + 1]
            bufs = (np.zeros(base.size, np.float32), np.zeros(base.size, np.float32))
            view = self.out[slice(*b.rows), slice(*b.cols)]
            self._bands.append(
                (idx, [x.astype(np.float32) for x in w], bufs, view, np.zeros(base.size, np.uint8))
            )
        self._flat = np.zeros(n_lines * n_samples, np.float32)
        self._half = np.array(0.5, np.float32)

    def convert(self, lines: np.ndarray) -> np.ndarray:
        np.copyto(self._flat, lines.reshape(-1))
        for idx, w, (acc, tmp), view, u8 in self._bands:
            self._flat.take(idx[0], None, acc, "clip")
            np.multiply(acc, w[0], out=acc)
            for k in (1, 2, 3):
                self._flat.take(idx[k], None, tmp, "clip")
                np.multiply(tmp, w[k], out=tmp)
                np.add(acc, tmp, out=acc)
            np.add(acc, self._half, out=acc)  # round to nearest on the cast
            np.copyto(u8, acc, casting="unsafe")
            np.copyto(view, u8.reshape(view.shape))
        return self.out
