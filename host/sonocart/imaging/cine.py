"""Cine: the last N seconds of shown frames in a ring of bounded, preallocated memory.

Frames are stored as the grey levels behind the image (``uint8 [lines, samples]``,
after gain, TGC, DR, grey map, smoothing and persistence: what was seen) with
their geometry and time, about 4× smaller than display images; a frozen frame is
scan-converted again on demand (``BModePipeline.render_levels``). Memory is fixed
at construction: ``capacity = min(max_bytes // frame_bytes, max_seconds × fps)``.
While frozen, new frames are ignored so the reviewed loop stays put; a change of
line shape (another probe or line count) clears the ring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonocart.imaging.geometry import Geometry


@dataclass(frozen=True)
class CineFrame:
    lines: np.ndarray  # read-only view into the ring
    geometry: Geometry
    t_s: float


class CineBuffer:
    def __init__(
        self, n_lines: int, n_samples: int, max_bytes: int, max_seconds: float = 10.0, fps: float = 30.0
    ) -> None:
        frame_bytes = n_lines * n_samples
        capacity = min(max_bytes // frame_bytes, int(max_seconds * fps))
        if capacity < 1:
            raise ValueError(f"{max_bytes} bytes cannot hold one {n_lines}x{n_samples} frame")
        self.shape = (n_lines, n_samples)
        self.capacity = capacity
        self._ring = np.zeros((capacity, n_lines, n_samples), dtype=np.uint8)
        self._geometry: list[Geometry | None] = [None] * capacity
        self._t = np.zeros(capacity, dtype=np.float64)
        self._next = 0
        self._count = 0
        self.frozen = False
        self.position = 0  # index into the frozen loop: 0 = oldest, len - 1 = newest

    @property
    def nbytes(self) -> int:
        """Memory held by the ring (fixed at construction)."""
        return int(self._ring.nbytes + self._t.nbytes)

    def __len__(self) -> int:
        return self._count

    def push(self, lines: np.ndarray, geometry: Geometry, t_s: float) -> bool:
        """Store a shown frame (copied into the ring); ignored while frozen. Returns whether stored."""
        if self.frozen:
            return False
        if lines.shape != self.shape:
            raise ValueError(f"cine built for {self.shape}, got {lines.shape}")
        slot = self._next
        np.copyto(self._ring[slot], lines)
        self._geometry[slot] = geometry
        self._t[slot] = t_s
        self._next = (slot + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)
        return True

    def clear(self) -> None:
        self._next = self._count = self.position = 0
        self.frozen = False

    def freeze(self) -> None:
        """Stop recording; the view starts at the newest frame."""
        self.frozen = True
        self.position = max(0, self._count - 1)

    def unfreeze(self) -> None:
        self.frozen = False

    def frame(self, i: int) -> CineFrame:
        """Frame ``i`` of the loop, 0 = oldest."""
        if not 0 <= i < self._count:
            raise IndexError(f"cine holds {self._count} frames, asked for {i}")
        slot = (self._next - self._count + i) % self.capacity
        view = self._ring[slot]
        view.flags.writeable = False
        geometry = self._geometry[slot]
        assert geometry is not None
        return CineFrame(view, geometry, float(self._t[slot]))

    def scroll(self, step: int) -> CineFrame:
        """Move through the frozen loop by ``step`` frames (clamped at both ends)."""
        if not self.frozen:
            raise RuntimeError("scroll needs a frozen cine (freeze first)")
        if self._count == 0:
            raise IndexError("cine is empty")
        self.position = min(max(self.position + step, 0), self._count - 1)
        return self.frame(self.position)

    def current(self) -> CineFrame:
        return self.frame(self.position if self.frozen else self._count - 1)
