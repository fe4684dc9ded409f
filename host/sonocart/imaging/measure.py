"""Calipers: distances and depths in millimetres from display pixels, through the image's calibration.

The calibration is exact (square pixels, one scale for x and z), so a caliper
is as accurate as the placement of its points; sub-pixel positions are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sonocart.imaging.scanconvert import Calibration

Point = tuple[float, float]


@dataclass(frozen=True)
class Measurement:
    p1_mm: Point
    p2_mm: Point
    distance_mm: float
    dx_mm: float  # lateral component, signed (p2 - p1)
    dz_mm: float  # depth component, signed (p2 - p1)


def depth_mm(cal: Calibration, p_px: Point) -> float:
    """Depth of a display point below the transducer's reference (z, mm)."""
    return cal.to_mm(*p_px)[1]


def measure(cal: Calibration, p1_px: Point, p2_px: Point) -> Measurement:
    """The distance between two display points, in millimetres."""
    a, b = cal.to_mm(*p1_px), cal.to_mm(*p2_px)
    dx, dz = b[0] - a[0], b[1] - a[1]
    return Measurement(a, b, math.hypot(dx, dz), dx, dz)


@dataclass
class Calipers:
    """Pairs of points placed on a (frozen) image; a third tap starts the next pair."""

    calibration: Calibration
    points: list[Point] = field(default_factory=list)

    def place(self, p_px: Point) -> Measurement | None:
        """Add a point; returns the measurement when it completes a pair."""
        self.points.append(p_px)
        if len(self.points) % 2 == 0:
            return measure(self.calibration, self.points[-2], self.points[-1])
        return None

    def measurements(self) -> list[Measurement]:
        pts = self.points
        return [measure(self.calibration, pts[i], pts[i + 1]) for i in range(0, len(pts) - 1, 2)]

    def clear(self) -> None:
        self.points.clear()
