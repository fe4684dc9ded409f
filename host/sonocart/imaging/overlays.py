"""Overlays burnt into the display image: depth scale with centimetre ticks, focus marker, needle guide.

Static overlays depend only on the calibration and a few settings, so their
pixel indices are computed once and each frame is one ``put`` per overlay.
The same shapes are also returned as primitives (:class:`OverlayPrimitives`)
for a UI that prefers to draw them itself, with labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.scanconvert import Calibration

SCALE_LEVEL = 255
GUIDE_LEVEL = 200
SCALE_MARGIN_PX = 4
MAJOR_TICK_PX = 10
MINOR_TICK_PX = 5


@dataclass(frozen=True)
class Tick:
    v_px: float
    depth_mm: float
    major: bool  # whole centimetre


@dataclass(frozen=True)
class OverlayPrimitives:
    scale_u_px: float
    ticks: tuple[Tick, ...]
    focus_px: tuple[float, float] | None
    guide: tuple[tuple[float, float], tuple[float, float]] | None  # (start, end) in pixels


def line_pixels(
    cal: Calibration, p0: tuple[float, float], p1: tuple[float, float], thickness: int = 1
) -> np.ndarray:
    """Flat indices of the pixels on the segment p0→p1 (pixel coordinates), clipped to the image."""
    n = int(max(abs(p1[0] - p0[0]), abs(p1[1] - p0[1]))) + 2
    t = np.linspace(0.0, 1.0, n)
    u = np.rint(p0[0] + (p1[0] - p0[0]) * t).astype(np.intp)
    v = np.rint(p0[1] + (p1[1] - p0[1]) * t).astype(np.intp)
    us, vs = [u], [v]
    for k in range(1, thickness):
        us.append(u + k)
        vs.append(v)
    uu, vv = np.concatenate(us), np.concatenate(vs)
    ok = (uu >= 0) & (uu < cal.width_px) & (vv >= 0) & (vv < cal.height_px)
    return np.unique(vv[ok] * cal.width_px + uu[ok])


def guide_entry_mm(geometry: Geometry) -> tuple[float, float]:
    """Where an in-plane needle guide enters: the left end of the transducer face."""
    if geometry.kind == "linear":
        return -geometry.width_mm / 2, 0.0
    if geometry.kind == "phased":
        return 0.0, 0.0
    half = math.radians(geometry.fov_deg) / 2
    r = geometry.radius_mm
    return -r * math.sin(half), r * math.cos(half) - r


def primitives(
    geometry: Geometry,
    cal: Calibration,
    depth_scale: bool,
    focus_depth_mm: float | None,
    needle_guide_deg: float | None,
) -> OverlayPrimitives:
    """The overlay shapes for these settings, in display pixels."""
    u_scale = cal.width_px - 1 - SCALE_MARGIN_PX
    ticks: list[Tick] = []
    if depth_scale:
        for mm in range(0, int(geometry.depth_end_mm) + 1, 5):
            v = cal.to_px(0.0, float(mm))[1]
            if 0 <= v <= cal.height_px - 1:
                ticks.append(Tick(v, float(mm), mm % 10 == 0))
    focus = None
    if focus_depth_mm is not None:
        focus = (u_scale - MAJOR_TICK_PX - 4, cal.to_px(0.0, focus_depth_mm)[1])
    guide = None
    if needle_guide_deg is not None:
        x0, z0 = guide_entry_mm(geometry)
        a = math.radians(needle_guide_deg)
        reach = 2 * (geometry.depth_end_mm + geometry.radius_mm)
        guide = (cal.to_px(x0, z0), cal.to_px(x0 + reach * math.cos(a), z0 + reach * math.sin(a)))
    return OverlayPrimitives(u_scale, tuple(ticks), focus, guide)


@lru_cache(maxsize=16)
def overlay_pixels(
    geometry: Geometry,
    cal: Calibration,
    depth_scale: bool,
    focus_depth_mm: float | None,
    needle_guide_deg: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(flat indices, grey levels) of all overlays together, cached per calibration and settings."""
    parts = _overlay_parts(geometry, cal, depth_scale, focus_depth_mm, needle_guide_deg)
    if not parts:
        return _solid(np.zeros(0, dtype=np.intp), 0)
    idx = np.concatenate([p[0] for p in parts])
    values = np.concatenate([p[1] for p in parts])
    # where overlays cross, the later one wins: keep each pixel's last occurrence
    _, last = np.unique(idx[::-1], return_index=True)
    keep = idx.size - 1 - last
    return _frozen(idx[keep], values[keep])


def _overlay_parts(
    geometry: Geometry,
    cal: Calibration,
    depth_scale: bool,
    focus_depth_mm: float | None,
    needle_guide_deg: float | None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    prim = primitives(geometry, cal, depth_scale, focus_depth_mm, needle_guide_deg)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    u = prim.scale_u_px
    if prim.ticks:
        idx = [line_pixels(cal, (u, prim.ticks[0].v_px), (u, prim.ticks[-1].v_px))]
        for t in prim.ticks:
            length = MAJOR_TICK_PX if t.major else MINOR_TICK_PX
            idx.append(line_pixels(cal, (u - length, t.v_px), (u, t.v_px), thickness=1))
        parts.append(_solid(np.unique(np.concatenate(idx)), SCALE_LEVEL))
    if prim.focus_px is not None:
        fu, fv = prim.focus_px
        tri = [line_pixels(cal, (fu - k, fv - k / 2), (fu - k, fv + k / 2)) for k in range(7)]
        parts.append(_solid(np.unique(np.concatenate(tri)), SCALE_LEVEL))
    if prim.guide is not None:
        guide_idx = line_pixels(cal, prim.guide[0], prim.guide[1], thickness=2)
        dashed = guide_idx[(guide_idx % cal.width_px // 6) % 2 == 0]
        parts.append(_solid(dashed, GUIDE_LEVEL))
    return parts


def _solid(idx: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    return _frozen(idx, np.full(idx.size, level, dtype=np.uint8))


def _frozen(idx: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.ascontiguousarray(idx, dtype=np.intp)
    values = np.ascontiguousarray(values, dtype=np.uint8)
    idx.setflags(write=False)
    values.setflags(write=False)
    return idx, values


NEEDLE_LEVEL = 255
PROJECTION_MM = 10.0


def needle_pixels(cal: Calibration, entry_mm: tuple[float, float], tip_mm: tuple[float, float]) -> np.ndarray:
    """Flat indices of a detected needle's overlay: the shaft, a dotted path ahead, a cross at the tip.

    Computed per frame (the needle moves), so unlike the static overlays it allocates; it
    runs only in needle-enhancement mode.
    """
    e, t = cal.to_px(*entry_mm), cal.to_px(*tip_mm)
    length = max(float(np.hypot(t[0] - e[0], t[1] - e[1])), 1e-6)
    du, dv = (t[0] - e[0]) / length, (t[1] - e[1]) / length
    ahead = PROJECTION_MM / cal.mm_per_px
    shaft = line_pixels(cal, e, t, thickness=2)
    path = line_pixels(cal, t, (t[0] + du * ahead, t[1] + dv * ahead))
    path = path[(np.arange(path.size) // 4) % 2 == 1]
    arm = 6
    cross = np.concatenate(
        [
            line_pixels(cal, (t[0] - arm, t[1] - arm), (t[0] + arm, t[1] + arm)),
            line_pixels(cal, (t[0] - arm, t[1] + arm), (t[0] + arm, t[1] - arm)),
        ]
    )
    return np.unique(np.concatenate([shaft, path, cross]))


def draw(flat_image: np.ndarray, overlay: tuple[np.ndarray, np.ndarray]) -> None:
    """Burn precomputed overlays into an image, given as its flat (1-D) view, in place."""
    flat_image[overlay[0]] = overlay[1]  # (ndarray.put copies read-only indices; this does not)
