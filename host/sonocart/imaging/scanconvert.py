"""Scan conversion: polar/linear scan lines → a Cartesian display image with square pixels.

All per-pixel geometry is computed once per (geometry, line shape, viewport) into
index and weight tables (:func:`converter_for` caches them); each frame is then
four gathers and a weighted sum into preallocated buffers, with no Python loop
over pixels. Pixels outside the imaged region stay black.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sonocart.imaging.geometry import Geometry


@dataclass(frozen=True)
class Calibration:
    """Where millimetres land: a point (x, z) mm is at ``origin_px + (x, z) / mm_per_px``."""

    mm_per_px: float
    origin_px: tuple[float, float]
    width_px: int
    height_px: int

    def to_px(self, x_mm: float, z_mm: float) -> tuple[float, float]:
        return self.origin_px[0] + x_mm / self.mm_per_px, self.origin_px[1] + z_mm / self.mm_per_px

    def to_mm(self, u_px: float, v_px: float) -> tuple[float, float]:
        return (u_px - self.origin_px[0]) * self.mm_per_px, (v_px - self.origin_px[1]) * self.mm_per_px


def fit_calibration(geometry: Geometry, width_px: int, height_px: int) -> Calibration:
    """Largest square-pixel scale at which the whole imaged region fits, centred, top-aligned."""
    x0, x1, z0, z1 = geometry.extent_mm()
    mm_per_px = max((x1 - x0) / (width_px - 1), (z1 - z0) / (height_px - 1))
    origin_u = (width_px - 1) / 2 - (x0 + x1) / 2 / mm_per_px
    origin_v = -z0 / mm_per_px
    return Calibration(mm_per_px, (origin_u, origin_v), width_px, height_px)


class ScanConverter:
    """Bilinear scan conversion for one geometry, line shape and viewport."""

    def __init__(
        self, geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
    ) -> None:
        if n_lines < 2 or n_samples < 2:
            raise ValueError("scan conversion needs at least 2 lines and 2 samples")
        self.geometry = geometry
        self.shape = (n_lines, n_samples)
        self.calibration = cal = fit_calibration(geometry, width_px, height_px)
        v, u = np.mgrid[0:height_px, 0:width_px].astype(np.float64)
        x, z = cal.to_mm(u, v)  # type: ignore[arg-type]
        li, si = geometry.to_line_sample(x, z, n_lines, n_samples)
        eps = 1e-9
        inside = (li >= -eps) & (li <= n_lines - 1 + eps) & (si >= -eps) & (si <= n_samples - 1 + eps)
        self.inside_idx = np.flatnonzero(inside).astype(np.intp)
        li = np.clip(li.ravel()[self.inside_idx], 0, n_lines - 1)
        si = np.clip(si.ravel()[self.inside_idx], 0, n_samples - 1)
        l0 = np.minimum(np.floor(li), n_lines - 2).astype(np.intp)
        s0 = np.minimum(np.floor(si), n_samples - 2).astype(np.intp)
        fl = (li - l0).astype(np.float32)
        fs = (si - s0).astype(np.float32)
        self._idx = [
            l0 * n_samples + s0,
            l0 * n_samples + s0 + 1,
            (l0 + 1) * n_samples + s0,
            (l0 + 1) * n_samples + s0 + 1,
        ]
        self._w = [(1 - fl) * (1 - fs), (1 - fl) * fs, fl * (1 - fs), fl * fs]
        n = self.inside_idx.size
        self._src = np.zeros(n_lines * n_samples, dtype=np.float32)
        self._acc = np.zeros(n, dtype=np.float32)
        self._tmp = np.zeros(n, dtype=np.float32)
        self._u8 = np.zeros(n, dtype=np.uint8)
        self.out = np.zeros((height_px, width_px), dtype=np.uint8)
        self._out_flat = self.out.reshape(-1)

    def convert(self, display_lines: np.ndarray) -> np.ndarray:
        """uint8 ``[n_lines, n_samples]`` → uint8 ``[height, width]`` (a buffer reused every call)."""
        if display_lines.shape != self.shape or display_lines.dtype != np.uint8:
            raise ValueError(
                f"converter built for uint8 {self.shape}, got {display_lines.dtype} {display_lines.shape}"
            )
        np.copyto(self._src, display_lines.reshape(-1), casting="unsafe")
        acc, tmp = self._acc, self._tmp
        np.take(self._src, self._idx[0], out=acc, mode="clip")
        np.multiply(acc, self._w[0], out=acc)
        for idx, w in zip(self._idx[1:], self._w[1:], strict=True):
            np.take(self._src, idx, out=tmp, mode="clip")
            np.multiply(tmp, w, out=tmp)
            np.add(acc, tmp, out=acc)
        np.add(acc, np.float32(0.5), out=acc)
        np.copyto(self._u8, acc, casting="unsafe")
        self._out_flat[self.inside_idx] = self._u8
        return self.out


@lru_cache(maxsize=8)
def converter_for(
    geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
) -> ScanConverter:
    """The cached converter: tables are rebuilt only when geometry, line shape or viewport change."""
    return ScanConverter(geometry, n_lines, n_samples, width_px, height_px)
