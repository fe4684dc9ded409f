"""The same B-mode work done the usual OpenCV way, for the benchmark only (OpenCV is a dev extra).

Gain/TGC multiply, log compression (``cv2.log`` + ``convertScaleAbs``), grey
map (``cv2.LUT``), 3×3 smoothing (``sepFilter2D``), persistence
(``addWeighted``), scan conversion (``cv2.remap``, bilinear, constant border),
then the same overlay pixels. ``fixed_point_maps`` selects OpenCV's faster
fixed-point maps (``convertMaps`` to CV_16SC2), its best case.
"""

from __future__ import annotations

import math
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.overlays import overlay_pixels
from sonocart.imaging.scanconvert import fit_calibration
from sonocart.imaging.settings import DisplaySettings
from sonocart.imaging.tables import amplitude_gain_row, grey_map

cv2: Any = _cv2  # OpenCV's own stubs are stricter than its runtime; the reference needs neither


class OpenCVReference:
    def __init__(
        self,
        geometry: Geometry,
        n_lines: int,
        n_samples: int,
        width: int,
        height: int,
        s: DisplaySettings,
        fixed_point_maps: bool,
    ) -> None:
        cv2.setNumThreads(1)
        cal = fit_calibration(geometry, width, height)
        v, u = np.mgrid[0:height, 0:width].astype(np.float64)
        x = (u - cal.origin_px[0]) * cal.mm_per_px
        z = (v - cal.origin_px[1]) * cal.mm_per_px
        li, si = geometry.to_line_sample(x, z, n_lines, n_samples)
        map_x, map_y = si.astype(np.float32), li.astype(np.float32)  # src rows = lines, cols = samples
        if fixed_point_maps:
            self.map1, self.map2 = cv2.convertMaps(map_x, map_y, cv2.CV_16SC2)
        else:
            self.map1, self.map2 = map_x, map_y
        row = amplitude_gain_row(float(s.gain_db), tuple(s.tgc_db), n_samples)
        self.gain = np.ascontiguousarray(np.broadcast_to(row, (n_lines, n_samples)), dtype=np.float32)
        dr = s.dynamic_range_db
        # level = 255/DR · (20·log10(A/65535) + DR) = alpha·ln(A) + beta, clamped at A_min (level 0)
        self.alpha = 255.0 / dr * 20.0 / math.log(10.0)
        self.beta = 255.0 / dr * (dr - 20.0 * math.log10(65535.0))
        self.a_min = 65535.0 * 10 ** (-dr / 20.0)
        self.grey = grey_map(s.grey_map).reshape(256, 1)
        self.kernel = np.array([0.25, 0.5, 0.25], dtype=np.float32)
        self.persistence = s.persistence
        self.smoothing = s.smoothing
        self.state: np.ndarray | None = None
        self.overlays = overlay_pixels(geometry, cal, s.depth_scale, s.focus_depth_mm, s.needle_guide_deg)

    def process(self, lines: np.ndarray) -> np.ndarray:
        f = lines.astype(np.float32)
        f = cv2.multiply(f, self.gain)
        f = cv2.min(f, 65535.0)
        f = cv2.max(f, self.a_min)
        f = cv2.log(f)
        levels = cv2.convertScaleAbs(f, alpha=self.alpha, beta=self.beta)
        levels = cv2.LUT(levels, self.grey)
        shown = levels.astype(np.float32)
        if self.smoothing:
            shown = cv2.sepFilter2D(shown, -1, self.kernel, self.kernel, borderType=cv2.BORDER_REPLICATE)
        if self.persistence > 0:
            if self.state is None:
                self.state = shown
            else:
                self.state = cv2.addWeighted(self.state, self.persistence, shown, 1 - self.persistence, 0)
            shown = self.state
        shown_u8 = cv2.convertScaleAbs(shown)
        image = cv2.remap(
            shown_u8, self.map1, self.map2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
        )
        image.reshape(-1)[self.overlays[0]] = self.overlays[1]
        out: np.ndarray = image
        return out
