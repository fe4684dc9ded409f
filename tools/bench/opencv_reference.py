"""The same B-mode work done the usual OpenCV way, tuned, for the benchmark only.

Tuned as far as OpenCV's Python API allows: one thread (``setNumThreads(1)``),
every destination preallocated (``dst=`` positionally), gain/TGC multiply into
float32, log compression (``cv2.log`` + ``convertScaleAbs``), grey map
(``cv2.LUT``), 3×3 smoothing (``sepFilter2D`` to float), persistence
(``addWeighted`` in place), scan conversion (``cv2.remap``, bilinear, constant
border) with float maps or OpenCV's fixed-point maps (``convertMaps`` →
CV_16SC2), then the same overlay pixels. The benchmark times both map kinds and
counts the faster.
"""

from __future__ import annotations

import math
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.overlays import overlay_pixels
from sonocart.imaging.scanconvert import pixel_positions
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
        cal, li, si = pixel_positions(geometry, n_lines, n_samples, width, height)
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
        self.grey = grey_map(s.grey_map).reshape(256, 1).copy()
        self.kernel = np.array([0.25, 0.5, 0.25], dtype=np.float32)
        self.persistence = s.persistence
        self.smoothing = s.smoothing
        shape = (n_lines, n_samples)
        self.f = np.zeros(shape, np.float32)
        self.levels = np.zeros(shape, np.uint8)
        self.mapped = np.zeros(shape, np.uint8)
        self.shown = np.zeros(shape, np.float32)
        self.state = np.zeros(shape, np.float32)
        self.shown_u8 = np.zeros(shape, np.uint8)
        self.image = np.zeros((height, width), np.uint8)
        self.primed = False
        self.overlays = overlay_pixels(geometry, cal, s.depth_scale, s.focus_depth_mm, s.needle_guide_deg)

    def process(self, lines: np.ndarray) -> np.ndarray:
        f = self.f
        cv2.multiply(lines, self.gain, f, 1.0, cv2.CV_32F)
        cv2.min(f, 65535.0, f)
        cv2.max(f, self.a_min, f)
        cv2.log(f, f)
        cv2.convertScaleAbs(f, self.levels, self.alpha, self.beta)
        cv2.LUT(self.levels, self.grey, self.mapped)
        if self.smoothing:
            cv2.sepFilter2D(
                self.mapped,
                cv2.CV_32F,
                self.kernel,
                self.kernel,
                self.shown,
                (-1, -1),
                0.0,
                cv2.BORDER_REPLICATE,
            )
        else:
            np.copyto(self.shown, self.mapped)
        if self.persistence > 0 and self.primed:
            cv2.addWeighted(self.state, self.persistence, self.shown, 1 - self.persistence, 0.0, self.state)
        else:
            np.copyto(self.state, self.shown)
            self.primed = True
        cv2.convertScaleAbs(self.state, self.shown_u8)
        cv2.remap(self.shown_u8, self.map1, self.map2, cv2.INTER_LINEAR, self.image, cv2.BORDER_CONSTANT)
        self.image.reshape(-1)[self.overlays[0]] = self.overlays[1]
        out: np.ndarray = self.image
        return out
