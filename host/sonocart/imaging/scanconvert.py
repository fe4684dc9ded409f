"""Scan conversion: scan lines → a Cartesian display image with square pixels.

Textbook polar bilinear interpolation: for every display pixel the exact
(line, sample) of its own position — (θ, r) for a convex or phased probe,
(x, z) for a linear one — is computed once per (geometry, line shape,
viewport), and each frame interpolates bilinearly between the 4 neighbouring
samples there. The interpolation itself is OpenCV's ``remap`` (``INTER_LINEAR``,
float maps, single-threaded, into preallocated buffers, positional arguments so
the binding allocates nothing): numpy cannot gather 4 neighbours per pixel at
frame rate (``docs/performance.md`` has the measurements behind this choice).

Only rows and columns that show tissue are remapped: the viewport is cut into
:data:`BANDS` horizontal bands, each covering its own tissue columns; pixels of
a band outside the imaged region map far outside the lines and come out black
(``BORDER_CONSTANT``), as does everything outside the bands (never written).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.geometry import Geometry

cv2: Any = _cv2  # OpenCV's stubs are stricter than its runtime (it takes any buffer with the right shape)

#: horizontal bands remapped separately, each over only the columns its rows need.
BANDS = 12
#: where pixels outside the imaged region look (in samples/lines): far enough that no neighbour is real.
_OUTSIDE = -16.0


def _bands(r0: int, r1: int, n: int) -> list[tuple[int, int]]:
    edges = np.linspace(r0, r1, min(n, r1 - r0) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


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


@dataclass(frozen=True)
class _Band:
    rows: tuple[int, int]
    cols: tuple[int, int]
    map_sample: np.ndarray  # float32 [rows, cols]: fractional sample (OpenCV's x)
    map_line: np.ndarray  # float32 [rows, cols]: fractional line (OpenCV's y)


@dataclass(frozen=True)
class ConversionTables:
    """Everything geometric about one (geometry, line shape, viewport): computed once, shared, read-only."""

    calibration: Calibration
    inside: np.ndarray  # bool [h, w]: pixels that show tissue
    bands: tuple[_Band, ...]

    @property
    def pixels_computed(self) -> int:
        return sum(b.map_line.size for b in self.bands)


def pixel_positions(
    geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
) -> tuple[Calibration, np.ndarray, np.ndarray]:
    """Calibration and the exact fractional (line, sample) of every display pixel centre."""
    cal = fit_calibration(geometry, width_px, height_px)
    v, u = np.mgrid[0:height_px, 0:width_px].astype(np.float64)
    x = (u - cal.origin_px[0]) * cal.mm_per_px
    z = (v - cal.origin_px[1]) * cal.mm_per_px
    li, si = geometry.to_line_sample(x, z, n_lines, n_samples)
    return cal, li, si


def _readonly(a: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(a, dtype=np.float32)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=16)
def conversion_tables(
    geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
) -> ConversionTables:
    """The tables, cached: rebuilt only when geometry, line shape or viewport change."""
    if n_lines < 2 or n_samples < 2:
        raise ValueError("scan conversion needs at least 2 lines and 2 samples")
    cal, li, si = pixel_positions(geometry, n_lines, n_samples, width_px, height_px)
    eps = 1e-9
    inside = (li >= -eps) & (li <= n_lines - 1 + eps) & (si >= -eps) & (si <= n_samples - 1 + eps)
    inside.setflags(write=False)
    rows = np.flatnonzero(inside.any(axis=1))
    if rows.size == 0:
        raise ValueError("the imaged region does not reach the viewport")
    li = np.where(inside, np.clip(li, 0.0, n_lines - 1), _OUTSIDE)
    si = np.where(inside, np.clip(si, 0.0, n_samples - 1), _OUTSIDE)
    bands = []
    for b0, b1 in _bands(int(rows[0]), int(rows[-1]) + 1, BANDS):
        cols = np.flatnonzero(inside[b0:b1].any(axis=0))
        if cols.size == 0:
            continue
        c0, c1 = int(cols[0]), int(cols[-1]) + 1
        bands.append(_Band((b0, b1), (c0, c1), _readonly(si[b0:b1, c0:c1]), _readonly(li[b0:b1, c0:c1])))
    return ConversionTables(cal, inside, tuple(bands))


class ScanConverter:
    """Polar (or Cartesian) bilinear scan conversion for one geometry, line shape and viewport.

    Stage contract: ``uint8 [n_lines, n_samples]`` → ``uint8 [height, width]`` (a strided input is
    copied by OpenCV: correct, but it allocates; the pipeline's stages hand over contiguous buffers).
    The tables come from :func:`conversion_tables` (shared); the buffers, output included,
    are this converter's own, so two pipelines never write into each other's image.
    """

    in_dtype = np.dtype(np.uint8)
    out_dtype = np.dtype(np.uint8)

    def __init__(
        self, geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
    ) -> None:
        cv2.setNumThreads(1)  # the chain runs on one core; OpenCV's pool would fight the UI for the other
        t = self.tables = conversion_tables(geometry, n_lines, n_samples, width_px, height_px)
        self.geometry = geometry
        self.shape = (n_lines, n_samples)
        self.calibration = t.calibration
        self.inside = t.inside
        self.out = np.zeros((height_px, width_px), dtype=np.uint8)
        self.out_flat = self.out.reshape(-1)
        # OpenCV writes straight into the image's view of each band: a view whose rows are
        # contiguous (row stride = image width) is a cv::Mat with a step, so the binding neither
        # copies nor allocates (tests/imaging/test_polar_interpolation.py checks both)
        self._bands = [(b.map_sample, b.map_line, self.out[slice(*b.rows), slice(*b.cols)]) for b in t.bands]
        self.pixels_computed = t.pixels_computed
        self._interp, self._border = cv2.INTER_LINEAR, cv2.BORDER_CONSTANT

    def convert(self, display_lines: np.ndarray) -> np.ndarray:
        """uint8 ``[n_lines, n_samples]`` → uint8 ``[height, width]`` (a buffer reused every call)."""
        if display_lines.shape != self.shape or display_lines.dtype != np.uint8:
            raise ValueError(
                f"converter built for uint8 {self.shape}, got {display_lines.dtype} {display_lines.shape}"
            )
        i, bands = 0, self._bands
        while i < len(bands):  # (a for loop would allocate its iterator every frame)
            map_sample, map_line, view = bands[i]
            # positional arguments: keyword arguments make the binding allocate a dict per call
            cv2.remap(display_lines, map_sample, map_line, self._interp, view, self._border)
            i += 1
        return self.out
