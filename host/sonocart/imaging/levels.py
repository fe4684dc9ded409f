"""Line-space stage: raw scan lines → uint8 grey levels (gain, TGC, dynamic range, log LUT, grey map).

Stage contract: ``uint8 | uint16 | complex64 [n_lines, n_samples]`` → ``uint8 [n_lines, n_samples]``.

Gain and TGC multiply the linear amplitude (one row of factors over depth),
then a single 65 536-entry table does log compression, dynamic range and grey
map at once. IQ takes its magnitude and uses the frame's maximum as full scale.
uint8 lines are already log-compressed (at :data:`UINT8_SOURCE_DR_DB`): gain,
TGC and DR act on them in dB, and at the default settings they pass through.
Everything runs in buffers made for one line shape; a uint8 or uint16 frame allocates
nothing, an IQ frame only the ~128-byte scalar index of its peak.
"""

from __future__ import annotations

import numpy as np

from sonocart.imaging.settings import FLAT_TGC, DisplaySettings
from sonocart.imaging.tables import (
    UINT8_SOURCE_DR_DB,
    UINT16_FULL_SCALE,
    amplitude_gain_row,
    amplitude_lut,
    gain_curve_db,
    grey_map,
)

IN_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.complex64))


class GreyLevels:
    """Reusable buffers for one line shape."""

    out_dtype = np.dtype(np.uint8)

    def __init__(self, n_lines: int, n_samples: int) -> None:
        self.shape = (n_lines, n_samples)
        self.out = np.zeros(self.shape, dtype=np.uint8)
        self._f = np.zeros(self.shape, dtype=np.float32)
        self._index = np.zeros(self.shape, dtype=np.intp)
        # 0-d constants and full-size per-sample tables: scalar operands and broadcast rows make
        # numpy allocate on every call
        self._full_scale = np.array(UINT16_FULL_SCALE, dtype=np.float32)
        self._zero = np.array(0.0, dtype=np.float32)
        self._max_level = np.array(255.0, dtype=np.float32)
        self._f_flat = self._f.reshape(-1)
        self._scale = np.array(1.0, dtype=np.float32)
        self._gain_key: tuple[float, tuple[float, ...]] = (0.0, ())
        self._gain = np.ones(self.shape, dtype=np.float32)
        self._u8_key: tuple[object, ...] = ()
        self._u8_scale = np.array(1.0, dtype=np.float32)
        self._u8_offset = np.zeros(self.shape, dtype=np.float32)

    def run(self, lines: np.ndarray, s: DisplaySettings) -> np.ndarray:
        """Grey levels of ``lines`` under settings ``s`` (the returned buffer is reused)."""
        if lines.shape != self.shape:
            raise ValueError(f"stage built for {self.shape}, got {lines.shape}")
        if lines.dtype == np.uint8:
            return self._from_display(lines, s)
        f = self._f
        if lines.dtype == np.uint16:
            np.copyto(f, lines)
        elif lines.dtype == np.complex64:
            np.absolute(lines, out=f)
            # (argmax + item: the one reduction that allocates only its ~128-byte index scalar)
            peak = self._f_flat.item(self._f_flat.argmax())
            if not peak > 0:  # an all-zero (or NaN) frame is black, never garbage
                self.out.fill(0)
                return self.out
            self._scale[...] = UINT16_FULL_SCALE / peak
            np.multiply(f, self._scale, out=f)
        else:
            raise ValueError(f"lines must be uint8, uint16 or complex64, got {lines.dtype}")
        if s.gain_db != 0.0 or s.tgc_db != FLAT_TGC:
            if s.gain_db != self._gain_key[0] or s.tgc_db != self._gain_key[1]:
                key = (float(s.gain_db), tuple(s.tgc_db))
                self._gain[:] = amplitude_gain_row(key[0], key[1], self.shape[1])
                self._gain_key = key
            np.multiply(f, self._gain, out=f)
            np.minimum(f, self._full_scale, out=f)
        np.copyto(self._index, f, casting="unsafe")
        amplitude_lut(float(s.dynamic_range_db), s.grey_map).take(self._index, None, self.out, "clip")
        return self.out

    def _from_display(self, lines: np.ndarray, s: DisplaySettings) -> np.ndarray:
        """level' = (level·DR₀/255 − DR₀ + DR + gain(z)) · 255/DR: the display formula, in dB."""
        key = (float(s.dynamic_range_db), float(s.gain_db), tuple(s.tgc_db))
        if key != self._u8_key:
            dr = key[0]
            curve = gain_curve_db(key[1], key[2], self.shape[1])
            self._u8_scale[...] = UINT8_SOURCE_DR_DB / dr
            self._u8_offset[:] = (dr - UINT8_SOURCE_DR_DB + curve) * 255.0 / dr + 0.5
            self._u8_key = key
        f = self._f
        np.copyto(f, lines)  # (a mixed-dtype multiply would allocate cast buffers)
        np.multiply(f, self._u8_scale, out=f)
        np.add(f, self._u8_offset, out=f)
        np.maximum(f, self._zero, out=f)
        np.minimum(f, self._max_level, out=f)
        np.copyto(self._index, f, casting="unsafe")
        grey_map(s.grey_map).take(self._index, None, self.out, "clip")
        return self.out
