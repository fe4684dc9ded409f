"""Line-space filters on grey levels: light speckle smoothing and temporal persistence.

Stage contract: ``uint8 [n_lines, n_samples]`` → ``uint8 [n_lines, n_samples]``.

Both run before scan conversion, on ~4× fewer values than the display has;
since scan conversion is linear, averaging here equals averaging the image.
Smoothing is a 3×3 binomial kernel ([1, 2, 1] ⊗ [1, 2, 1] / 16) built from
two pair-sums per axis (edge lines and samples keep their own value).
Persistence is a first-order recursive filter, ``y[n] = p·y[n-1] + (1-p)·x[n]``:
after a change the remaining difference shrinks by the factor ``p`` every
frame. It restarts from the current frame (no fade-in from black) when it is
switched on, reset, or the line shape changes.
"""

from __future__ import annotations

import numpy as np


def _c(value: float) -> np.ndarray:
    """A 0-d float32 constant (a numpy scalar operand would be converted to an array every call)."""
    return np.array(value, dtype=np.float32)


class LineFilters:
    """Reusable buffers for one line shape; a frame allocates nothing."""

    in_dtype = np.dtype(np.uint8)
    out_dtype = np.dtype(np.uint8)

    def __init__(self, n_lines: int, n_samples: int) -> None:
        if n_lines < 3 or n_samples < 3:
            raise ValueError("line filters need at least 3 lines and 3 samples")
        self.shape = (n_lines, n_samples)
        self.out = np.zeros(self.shape, dtype=np.uint8)
        x = self._x = np.zeros(self.shape, dtype=np.float32)
        t = self._tmp = np.zeros(self.shape, dtype=np.float32)
        self._state = np.zeros(self.shape, dtype=np.float32)
        self._primed = False
        # views made once: pair sums a = x[:-1] + x[1:], then x[1:-1] = a[:-1] + a[1:], edges × 4.
        # Along samples this runs on the flat buffer (strided 2-D ufuncs allocate iterator buffers);
        # the sums that straddle two lines land on edge samples, which are restored afterwards.
        xf, tf = x.reshape(-1), t.reshape(-1)
        self._axial = (tf[:-1], xf[:-1], xf[1:], xf[1:-1], tf[:-2], tf[1:-1])
        self._lateral = (t[:-1], x[:-1], x[1:], x[1:-1], t[:-2], t[1:-1])
        self._edges = (x[:, 0], x[:, -1], x[0], x[-1])
        self._saved = (np.zeros(n_lines, np.float32), np.zeros(n_lines, np.float32))
        self._four = _c(4.0)
        self._half = _c(0.5)
        self._keep = _c(0.0)
        self._take = _c(1.0)

    def reset(self) -> None:
        """Forget the persistence history (call on freeze, geometry or depth change)."""
        self._primed = False

    def run(self, levels: np.ndarray, persistence: float, smoothing: bool) -> np.ndarray:
        """Filtered grey levels; with both filters off, ``levels`` itself is returned untouched."""
        if persistence <= 0.0 and not smoothing:
            self._primed = False
            return levels
        x = self._x
        np.copyto(x, levels)
        blending = persistence > 0.0 and self._primed
        self._keep[...] = persistence
        # one multiply for both: the kernel's 1/16 and the persistence weight of the new frame
        self._take[...] = (1.0 - persistence if blending else 1.0) * (1.0 / 16.0 if smoothing else 1.0)
        if smoothing:
            self._smooth()
        if blending or smoothing:
            np.multiply(x, self._take, out=x)
        result = x
        if blending:
            np.multiply(self._state, self._keep, out=self._state)
            np.add(self._state, x, out=self._state)
            result = self._state
        elif persistence > 0.0:
            np.copyto(self._state, x)
            self._primed = True
        else:
            self._primed = False
        np.add(result, self._half, out=x)  # round to nearest on the cast below
        np.copyto(self.out, x, casting="unsafe")
        return self.out

    def _smooth(self) -> None:
        """x ← 16 × (3×3 binomial of x), edges × 16 of their own value."""
        first, last, top, bottom = self._edges
        saved_first, saved_last = self._saved
        np.copyto(saved_first, first)
        np.copyto(saved_last, last)
        pair, lo, hi, centre, pair_lo, pair_hi = self._axial
        np.add(lo, hi, out=pair)
        np.add(pair_lo, pair_hi, out=centre)
        np.multiply(saved_first, self._four, out=first)
        np.multiply(saved_last, self._four, out=last)
        pair, lo, hi, centre, pair_lo, pair_hi = self._lateral
        np.add(lo, hi, out=pair)
        np.add(pair_lo, pair_hi, out=centre)
        np.multiply(top, self._four, out=top)
        np.multiply(bottom, self._four, out=bottom)
