"""Where the needle detector looks: the imaged region below the near field, at full and half resolution.

Made once per (geometry, calibration) and cached; read-only arrays.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.scanconvert import Calibration

#: the first millimetres below the transducer face (skin, lens reverberation) are not searched.
NEAR_FIELD_MM = 4.0


@lru_cache(maxsize=8)
def search_mask(geometry: Geometry, cal: Calibration) -> np.ndarray:
    """Pixels in the imaged region and deeper than :data:`NEAR_FIELD_MM` below the transducer face."""
    v, u = np.mgrid[0 : cal.height_px, 0 : cal.width_px].astype(np.float64)
    x = (u - cal.origin_px[0]) * cal.mm_per_px
    z = (v - cal.origin_px[1]) * cal.mm_per_px
    n = 256
    li, si = geometry.to_line_sample(x, z, n, n)
    inside = (li >= 0) & (li <= n - 1) & (si >= 0) & (si <= n - 1)
    depth = geometry.depth_start_mm + si * (geometry.depth_end_mm - geometry.depth_start_mm) / (n - 1)
    mask = inside & (depth >= NEAR_FIELD_MM)
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=8)
def small_mask(geometry: Geometry, cal: Calibration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The search mask at half resolution (int16 1 inside, 0 outside), its count of pixels per row
    (float64, at least 1), and −600 (int16) outside it."""
    mask = np.ascontiguousarray(search_mask(geometry, cal)[::2, ::2])
    counts = np.maximum(mask.sum(axis=1), 1).astype(np.float64)  # (at least 1: a divisor)
    outside = np.where(mask, 0, -600).astype(np.int16)
    inside = mask.astype(np.int16)
    for array in (inside, counts, outside):
        array.setflags(write=False)
    return inside, counts, outside


def local_box_px(cal: Calibration, box_mm: float, every: int) -> int:
    """The odd side of a square of about ``box_mm``, in pixels of a grid of every ``every``-th pixel."""
    return max(3, round(box_mm / (every * cal.mm_per_px)) | 1)
