"""Probe geometry and the mapping between scan-line samples and millimetres.

Coordinates: ``x`` lateral (mm, right positive), ``z`` depth (mm, down positive),
origin at the centre of the transducer face (linear), the top of the arc on the
centre line (convex), or the apex (phased). Line 0 is leftmost; sample 0 is
nearest the transducer; samples are evenly spaced from ``depth_start_mm`` to
``depth_end_mm`` along each line (convex: measured from the arc).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

Kind = Literal["linear", "convex", "phased"]
KINDS: tuple[Kind, ...] = ("linear", "convex", "phased")


class GeometryError(ValueError):
    pass


@dataclass(frozen=True)
class Geometry:
    kind: Kind
    depth_start_mm: float
    depth_end_mm: float
    width_mm: float = 0.0  # linear: centre of first line to centre of last
    radius_mm: float = 0.0  # convex: radius of the arc
    fov_deg: float = 0.0  # convex/phased: angle between first and last line

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise GeometryError(f"geometry kind must be one of {KINDS}, not {self.kind!r}")
        if not (math.isfinite(self.depth_start_mm) and math.isfinite(self.depth_end_mm)):
            raise GeometryError("depths must be finite")
        if not self.depth_end_mm > self.depth_start_mm >= 0:
            raise GeometryError(
                f"need 0 <= depth_start_mm < depth_end_mm, got {self.depth_start_mm}, {self.depth_end_mm}"
            )
        if self.kind == "linear" and not self.width_mm > 0:
            raise GeometryError("a linear geometry needs width_mm > 0")
        if self.kind == "convex" and not self.radius_mm > 0:
            raise GeometryError("a convex geometry needs radius_mm > 0")
        if self.kind in ("convex", "phased") and not 0 < self.fov_deg < 180:
            raise GeometryError(f"a {self.kind} geometry needs 0 < fov_deg < 180")

    # -- serialisation -------------------------------------------------------------------------------
    def to_json(self) -> str:
        d = {k: v for k, v in asdict(self).items() if v or k in ("depth_start_mm", "depth_end_mm", "kind")}
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Geometry:
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GeometryError(f"geometry is not valid JSON: {exc}") from exc
        if not isinstance(d, dict):
            raise GeometryError("geometry JSON must be an object")
        known = {"kind", "depth_start_mm", "depth_end_mm", "width_mm", "radius_mm", "fov_deg"}
        unknown = set(d) - known
        if unknown:
            raise GeometryError(f"unknown geometry fields: {sorted(unknown)}")
        try:
            return cls(
                kind=d["kind"],
                depth_start_mm=float(d["depth_start_mm"]),
                depth_end_mm=float(d["depth_end_mm"]),
                width_mm=float(d.get("width_mm", 0.0)),
                radius_mm=float(d.get("radius_mm", 0.0)),
                fov_deg=float(d.get("fov_deg", 0.0)),
            )
        except KeyError as exc:
            raise GeometryError(f"geometry is missing {exc.args[0]!r}") from exc

    # -- mapping -------------------------------------------------------------------------------------
    @property
    def _radius(self) -> float:
        return self.radius_mm if self.kind == "convex" else 0.0

    def line_angles_rad(self, n_lines: int) -> np.ndarray:
        half = math.radians(self.fov_deg) / 2
        return np.linspace(-half, half, n_lines)

    def to_xz(
        self, line: np.ndarray, sample: np.ndarray, n_lines: int, n_samples: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Millimetre position of fractional (line, sample) indices."""
        line = np.asarray(line, dtype=np.float64)
        sample = np.asarray(sample, dtype=np.float64)
        depth = self.depth_start_mm + sample * (self.depth_end_mm - self.depth_start_mm) / (n_samples - 1)
        if self.kind == "linear":
            return -self.width_mm / 2 + line * self.width_mm / (n_lines - 1), depth
        half = math.radians(self.fov_deg) / 2
        angle = -half + line * (2 * half) / (n_lines - 1)
        r = self._radius + depth
        return r * np.sin(angle), r * np.cos(angle) - self._radius

    def to_line_sample(
        self, x: np.ndarray, z: np.ndarray, n_lines: int, n_samples: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (line, sample) indices of millimetre positions (may fall outside the data)."""
        x = np.asarray(x, dtype=np.float64)
        z = np.asarray(z, dtype=np.float64)
        dz = (self.depth_end_mm - self.depth_start_mm) / (n_samples - 1)
        if self.kind == "linear":
            return (x + self.width_mm / 2) * (n_lines - 1) / self.width_mm, (z - self.depth_start_mm) / dz
        zc = z + self._radius
        r = np.hypot(x, zc)
        angle = np.arctan2(x, zc)
        half = math.radians(self.fov_deg) / 2
        return (angle + half) * (n_lines - 1) / (2 * half), (r - self._radius - self.depth_start_mm) / dz

    def extent_mm(self) -> tuple[float, float, float, float]:
        """Bounding box (x_min, x_max, z_min, z_max) of the imaged region."""
        if self.kind == "linear":
            return -self.width_mm / 2, self.width_mm / 2, self.depth_start_mm, self.depth_end_mm
        half = math.radians(self.fov_deg) / 2
        r0 = self._radius + self.depth_start_mm
        r1 = self._radius + self.depth_end_mm
        x_max = r1 * math.sin(half)
        z_min = min(r0 * math.cos(half), r0) - self._radius
        return -x_max, x_max, z_min, r1 - self._radius
