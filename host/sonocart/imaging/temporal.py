"""Line-space filters on grey levels: light speckle smoothing and temporal persistence.

Stage contract: ``uint8 [n_lines, n_samples]`` → ``uint8 [n_lines, n_samples]``.

Both run before scan conversion, on ~4× fewer values than the display has;
since scan conversion is linear, averaging here equals averaging the image.
Smoothing is a 3×3 binomial kernel ([1, 2, 1] ⊗ [1, 2, 1] / 16), edge lines
and samples replicated outward. Persistence is a first-order recursive
filter, ``y[n] = p·y[n-1] + (1-p)·x[n]``, kept in float32: after a change the
remaining difference shrinks by the factor ``p`` every frame. It restarts from
the current frame (no fade-in from black) when it is switched on, reset, or
the line shape changes. The arithmetic is OpenCV's (``sepFilter2D`` /
``GaussianBlur``, ``accumulateWeighted``, a rounding ``convertScaleAbs``) into
buffers made once per line shape.
"""

from __future__ import annotations

from typing import Any

import cv2 as _cv2
import numpy as np

cv2: Any = _cv2  # OpenCV's stubs are stricter than its runtime (it takes any buffer with the right shape)

#: the binomial [1, 2, 1] / 4, applied along lines and across them.
_BINOMIAL = np.array([0.25, 0.5, 0.25], dtype=np.float32)


class LineFilters:
    """Reusable buffers for one line shape; a frame allocates nothing."""

    in_dtype = np.dtype(np.uint8)
    out_dtype = np.dtype(np.uint8)

    def __init__(self, n_lines: int, n_samples: int) -> None:
        if n_lines < 3 or n_samples < 3:
            raise ValueError("line filters need at least 3 lines and 3 samples")
        cv2.setNumThreads(1)  # the chain runs on one core (see scanconvert)
        self.shape = (n_lines, n_samples)
        self.out = np.zeros(self.shape, dtype=np.uint8)
        self._x = np.zeros(self.shape, dtype=np.float32)
        self._state = np.zeros(self.shape, dtype=np.float32)
        self._primed = False
        self._anchor = (-1, -1)
        self._border = cv2.BORDER_REPLICATE
        self._f32 = cv2.CV_32F

    def reset(self) -> None:
        """Forget the persistence history (call on freeze, geometry or depth change)."""
        self._primed = False

    def run(self, levels: np.ndarray, persistence: float, smoothing: bool) -> np.ndarray:
        """Filtered grey levels; with both filters off, ``levels`` itself is returned untouched."""
        if persistence <= 0.0:
            self._primed = False
            if not smoothing:
                return levels
            # positional arguments: keyword arguments make the binding allocate a dict per call
            cv2.GaussianBlur(levels, (3, 3), 0.0, self.out, 0.0, self._border)
            return self.out
        new: np.ndarray = levels
        if smoothing:  # smoothed to float: one rounding only, at the end
            cv2.sepFilter2D(levels, self._f32, _BINOMIAL, _BINOMIAL, self._x, self._anchor, 0.0, self._border)
            new = self._x
        if self._primed:
            cv2.accumulateWeighted(new, self._state, 1.0 - persistence)  # state ← p·state + (1-p)·new
        else:
            np.copyto(self._state, new)
            self._primed = True
        cv2.convertScaleAbs(self._state, self.out)  # (levels are never negative: abs is a no-op)
        return self.out
