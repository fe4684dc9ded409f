"""Line-space stage: raw scan lines → uint8 grey levels (gain, TGC, dynamic range, log compression, grey map).

Stage contract: ``uint8 | uint16 | complex64 [n_lines, n_samples]`` → ``uint8 [n_lines, n_samples]``.

For amplitude lines (uint16, or the magnitude of IQ with the frame's maximum
as full scale) the display formula

    level = clip((20·log10(A/FS) + DR + G(z)) / DR, 0, 1) · 255

is evaluated as ``α·ln(A) + offset(z)`` with ``α = 255/DR · 20/ln 10`` and one
offset row over depth holding the gain and TGC ``G(z)`` in dB (built once per
setting), by OpenCV kernels into preallocated buffers: ``log``, then one
``addWeighted`` that rounds and saturates to uint8 (the clip), then the grey
map as a 256-entry ``LUT``. A floor below the level-0 amplitude of every depth
keeps ``ln`` finite for zero samples. uint8 lines are already log-compressed
(at :data:`UINT8_SOURCE_DR_DB`): gain, TGC and DR act on them in dB, and at
the default settings they pass through. A uint8 or uint16 frame allocates
nothing, an IQ frame only the ~128-byte scalar index of its peak.
"""

from __future__ import annotations

import math
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.settings import DisplaySettings
from sonocart.imaging.tables import UINT8_SOURCE_DR_DB, UINT16_FULL_SCALE, gain_curve_db, grey_map

cv2: Any = _cv2  # OpenCV's stubs are stricter than its runtime (it takes any buffer with the right shape)

IN_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.complex64))


class GreyLevels:
    """Reusable buffers for one line shape."""

    out_dtype = np.dtype(np.uint8)

    def __init__(self, n_lines: int, n_samples: int) -> None:
        cv2.setNumThreads(1)  # the chain runs on one core (see scanconvert)
        self.shape = (n_lines, n_samples)
        self.out = np.zeros(self.shape, dtype=np.uint8)
        self._f = np.zeros(self.shape, dtype=np.float32)
        self._index = np.zeros(self.shape, dtype=np.intp)
        # 0-d constants and full-size per-sample tables: scalar operands and broadcast rows make
        # numpy allocate on every call
        self._zero = np.array(0.0, dtype=np.float32)
        self._max_level = np.array(255.0, dtype=np.float32)
        self._f_flat = self._f.reshape(-1)
        self._scale = np.array(1.0, dtype=np.float32)
        self._log_key: tuple[object, ...] = ()
        self._alpha = 1.0
        self._floor = 1.0
        self._offset = np.zeros(self.shape, dtype=np.float32)
        self._grey_key = ""
        self._grey = np.zeros((256, 1), dtype=np.uint8)
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
        self._log_tables(s)
        # positional arguments: keyword arguments make the binding allocate a dict per call
        cv2.max(f, self._floor, f)
        cv2.log(f, f)
        cv2.addWeighted(f, self._alpha, self._offset, 1.0, 0.0, self.out, cv2.CV_8U)
        if s.grey_map != "linear":
            cv2.LUT(self.out, self._grey_table(s.grey_map), self.out)
        return self.out

    def _log_tables(self, s: DisplaySettings) -> None:
        """α, the zero floor and the offset row for (DR, gain, TGC): rebuilt only when one changes."""
        key = (float(s.dynamic_range_db), float(s.gain_db), tuple(s.tgc_db))
        if key == self._log_key:
            return
        dr = key[0]
        if not dr > 0:
            raise ValueError(f"dynamic range must be positive, got {dr}")
        curve = gain_curve_db(key[1], key[2], self.shape[1])
        self._alpha = 255.0 / dr * 20.0 / math.log(10.0)
        self._offset[:] = 255.0 / dr * (dr + curve - 20.0 * math.log10(UINT16_FULL_SCALE))
        # half the amplitude that reaches level 0 at the most-gained depth: below level 0 everywhere
        floor_db = -(dr + float(curve.max())) - 6.0
        self._floor = max(UINT16_FULL_SCALE * 10.0 ** (floor_db / 20.0), 1e-30)
        self._log_key = key

    def _grey_table(self, name: str) -> np.ndarray:
        if name != self._grey_key:
            self._grey[:, 0] = grey_map(name)
            self._grey_key = name
        return self._grey

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
