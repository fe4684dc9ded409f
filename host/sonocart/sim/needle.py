"""A needle that advances and withdraws along a straight in-plane path, for the simulated probe.

Angles are the direction of insertion in the image plane, measured from the
skin surface (+x) towards depth (+z): 30° enters from the left going down and
right, 150° from the right going down and left. The same convention is used by
:class:`sonocart.imaging.needle.NeedleEstimate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class NeedlePath:
    entry_mm: tuple[float, float]  # (x, z) where the shaft enters the image
    angle_deg: float
    min_insertion_mm: float = 8.0
    max_insertion_mm: float = 32.0
    period_s: float = 8.0  # one advance-and-withdraw cycle

    def __post_init__(self) -> None:
        if not 0.0 < self.angle_deg < 180.0:
            raise ValueError(f"needle angle must be in (0, 180) degrees, got {self.angle_deg}")
        if not 0.0 <= self.min_insertion_mm <= self.max_insertion_mm:
            raise ValueError("need 0 <= min_insertion_mm <= max_insertion_mm")

    @property
    def direction(self) -> tuple[float, float]:
        a = math.radians(self.angle_deg)
        return math.cos(a), math.sin(a)

    def insertion_mm(self, t_s: float) -> float:
        """Length inside the image at ``t_s``: a smooth advance then withdrawal every ``period_s``."""
        phase = 0.5 - 0.5 * math.cos(2.0 * math.pi * t_s / self.period_s)
        return self.min_insertion_mm + (self.max_insertion_mm - self.min_insertion_mm) * phase

    def tip_mm(self, t_s: float) -> tuple[float, float]:
        length = self.insertion_mm(t_s)
        dx, dz = self.direction
        return self.entry_mm[0] + length * dx, self.entry_mm[1] + length * dz
