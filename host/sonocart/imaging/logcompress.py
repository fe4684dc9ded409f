"""Log compression: line samples (uint8, uint16 or IQ) → uint8 display values.

uint16 envelope goes through a 65 536-entry lookup table built once per
(dynamic range, gain); IQ goes through its magnitude with the frame's maximum as
full scale; uint8 is already a display value and is copied through.
display = clip((20·log10(A/full_scale) + DR + gain) / DR, 0, 1) · 255
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sonocart.imaging.frame_file import check_lines

UINT16_FULL_SCALE = 65535.0


@lru_cache(maxsize=16)
def uint16_lut(dynamic_range_db: float, gain_db: float) -> np.ndarray:
    """uint8[65536] table for the given settings; read-only, shared."""
    if not dynamic_range_db > 0:
        raise ValueError(f"dynamic range must be positive, got {dynamic_range_db}")
    amplitude = np.arange(65536, dtype=np.float64)
    with np.errstate(divide="ignore"):
        db = 20.0 * np.log10(amplitude / UINT16_FULL_SCALE)
    value = np.clip((db + dynamic_range_db + gain_db) / dynamic_range_db, 0.0, 1.0) * 255.0
    lut = np.rint(value).astype(np.uint8)
    lut.setflags(write=False)
    return lut


class LogCompressor:
    """Reusable buffers for one line shape; ``compress`` allocates nothing after the first call."""

    def __init__(self, n_lines: int, n_samples: int) -> None:
        self.shape = (n_lines, n_samples)
        self.out = np.zeros(self.shape, dtype=np.uint8)
        self._mag = np.zeros(self.shape, dtype=np.float32)

    def compress(self, lines: np.ndarray, dynamic_range_db: float = 60.0, gain_db: float = 0.0) -> np.ndarray:
        if lines.shape != self.shape:
            raise ValueError(f"compressor built for {self.shape}, got {lines.shape}")
        if lines.dtype == np.uint8:
            np.copyto(self.out, lines)
        elif lines.dtype == np.uint16:
            np.take(uint16_lut(float(dynamic_range_db), float(gain_db)), lines, out=self.out, mode="clip")
        elif lines.dtype == np.complex64:
            self._compress_iq(lines, dynamic_range_db, gain_db)
        else:
            check_lines(lines)
        return self.out

    def _compress_iq(self, lines: np.ndarray, dr: float, gain: float) -> None:
        mag = self._mag
        np.abs(lines, out=mag)
        peak = float(mag.max())
        if peak <= 0.0:
            self.out.fill(0)
            return
        # 20·log10(|IQ|/peak): scale first so the log's argument is in (0, 1]
        np.multiply(mag, np.float32(1.0 / peak), out=mag)
        np.maximum(mag, np.float32(1e-12), out=mag)
        np.log10(mag, out=mag)
        np.multiply(mag, np.float32(20.0 * 255.0 / dr), out=mag)
        np.add(mag, np.float32((dr + gain) * 255.0 / dr + 0.5), out=mag)
        np.clip(mag, 0.0, 255.0, out=mag)
        np.copyto(self.out, mag, casting="unsafe")
