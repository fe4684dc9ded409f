"""Semantic checks of a probe frame the codec accepted (its CRC and layout are already right).

A frame whose geometry cannot be imaged, or whose samples are not finite, must never reach the
latest-frame slot: the probe client counts it as a bad frame and the live view says NO SIGNAL with
the reason (safety principle 1). The limits are what a diagnostic transducer can image, with margin:

- depth: B-mode imaging ends by ~300 mm in the largest adult abdomen (curvilinear probes image to
  240–300 mm: Szabo, *Diagnostic Ultrasound Imaging*, 2nd ed., §1.7; the cart's own depth control
  stops at 120 mm, ``cart.live.DEPTH_RANGE_MM``);
- linear array aperture: 10–80 mm (hockey-stick to wide linear probes, Szabo §7.4);
- convex radius 5–150 mm, sector/convex field of view 10–170° (micro-convex to curvilinear,
  phased arrays 90°; Szabo §7.4);
- shape: 8–1 024 lines (arrays have 32–256 elements; 1 024 leaves room for synthetic lines) and
  16–16 384 samples (300 mm at 40 MHz sampling is ~16 000 samples), under the codec's byte limit;
  the display pipeline's filters need at least 3 of each, so no smaller frame is an image.
"""

from __future__ import annotations

import math

import numpy as np

from sonocart.imaging.geometry import Geometry, GeometryError, Kind
from sonocart.wire import probe_codec as pc

MAX_DEPTH_MM = 300.0
MIN_DEPTH_SPAN_MM = 1.0
LINEAR_WIDTH_MM = (10.0, 80.0)
CONVEX_RADIUS_MM = (5.0, 150.0)
FOV_DEG = (10.0, 170.0)
LINES = (8, 1024)
SAMPLES = (16, 16384)

_KINDS: dict[pc.GeometryKind, Kind] = {
    pc.GeometryKind.LINEAR: "linear",
    pc.GeometryKind.CONVEX: "convex",
    pc.GeometryKind.PHASED: "phased",
}


def _within(name: str, value: float, lo: float, hi: float) -> str | None:
    if not math.isfinite(value):
        return f"{name} is {value}, not a finite number"
    if not lo <= value <= hi:  # written so that NaN fails (it already did above)
        return f"{name} {value:g} outside {lo:g}..{hi:g}"
    return None


def geometry_problem(g: pc.FrameGeometry) -> str | None:
    """Why this frame geometry cannot be imaged, or None when it can."""
    return imaging_problem(
        _KINDS[g.kind], g.depth_start_mm, g.depth_end_mm, g.width_mm, g.radius_mm, g.fov_deg
    )


def imaging_problem(
    kind: str, depth_start_mm: float, depth_end_mm: float, width_mm: float, radius_mm: float, fov_deg: float
) -> str | None:
    """Why a geometry (of a probe frame or a frame file) cannot be imaged, or None when it can."""
    values = (depth_start_mm, depth_end_mm, width_mm, radius_mm, fov_deg)
    if not all(isinstance(v, float | int) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        return f"geometry has a non-finite value {values}"
    if kind not in ("linear", "convex", "phased"):
        return f"geometry kind {kind!r:.20} is not linear, convex or phased"
    problem = _within("depth end (mm)", depth_end_mm, MIN_DEPTH_SPAN_MM, MAX_DEPTH_MM) or _within(
        "depth start (mm)", depth_start_mm, 0.0, depth_end_mm - MIN_DEPTH_SPAN_MM
    )
    if problem:
        return problem
    if kind == "linear":
        problem = _within("linear width (mm)", width_mm, *LINEAR_WIDTH_MM)
    else:
        problem = _within(f"{kind} field of view (deg)", fov_deg, *FOV_DEG)
        if problem is None and kind == "convex":
            problem = _within("convex radius (mm)", radius_mm, *CONVEX_RADIUS_MM)
    if problem:
        return problem
    try:  # the imaging layer's own rules, so the two can never disagree
        Geometry(kind, depth_start_mm, depth_end_mm, width_mm, radius_mm, fov_deg)  # type: ignore[arg-type]
    except GeometryError as exc:
        return str(exc)
    return None


def shape_problem(n_lines: int, n_samples: int) -> str | None:
    """Why a line block of this shape is no image, or None."""
    return _within("line count", n_lines, *LINES) or _within("sample count", n_samples, *SAMPLES)


class FrameValidator:
    """Checks frames on the reader thread; its finiteness buffer is reused (no allocation per frame)."""

    def __init__(self) -> None:
        self._finite = np.zeros(0, dtype=bool)

    def problem(self, frame: pc.Frame) -> str | None:
        """Why ``frame`` must not be shown, or None when it may go to the latest-frame slot."""
        shape = shape_problem(*frame.lines.shape)
        if shape:
            return shape
        problem = geometry_problem(frame.geometry)
        if problem:
            return problem
        if frame.lines.dtype.kind in "fc":
            flat = frame.lines.reshape(-1).view(np.float32)
            if self._finite.size != flat.size:
                self._finite = np.zeros(flat.size, dtype=bool)
            np.isfinite(flat, out=self._finite)
            if not self._finite.all():
                return "samples are not all finite (NaN or Inf)"
        return None
