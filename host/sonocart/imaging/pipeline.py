"""The B-mode chain shared by the live view and ``sonocart render``: compress, then scan-convert."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.logcompress import LogCompressor
from sonocart.imaging.scanconvert import Calibration, converter_for


@dataclass
class DisplaySettings:
    dynamic_range_db: float = 60.0
    gain_db: float = 0.0


class BModePipeline:
    """Lines in, display image out, for one viewport. Buffers are reused frame after frame."""

    def __init__(self, width_px: int, height_px: int, settings: DisplaySettings | None = None) -> None:
        self.width_px = width_px
        self.height_px = height_px
        self.settings = settings or DisplaySettings()
        self._compressor: LogCompressor | None = None

    def process(self, lines: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, Calibration]:
        """Return the uint8 ``[height, width]`` image (valid until the next call) and its calibration."""
        n_lines, n_samples = lines.shape
        comp = self._compressor
        if comp is None or comp.shape != lines.shape:
            comp = self._compressor = LogCompressor(n_lines, n_samples)
        display = comp.compress(lines, self.settings.dynamic_range_db, self.settings.gain_db)
        conv = converter_for(geometry, n_lines, n_samples, self.width_px, self.height_px)
        return conv.convert(display), conv.calibration
