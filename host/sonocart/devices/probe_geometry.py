"""Translate between the probe link's frame geometry and the imaging geometry."""

from __future__ import annotations

from functools import lru_cache

from sonocart.imaging.geometry import Geometry, Kind
from sonocart.wire import probe_codec as pc

_KIND_NAMES: dict[pc.GeometryKind, Kind] = {
    pc.GeometryKind.LINEAR: "linear",
    pc.GeometryKind.CONVEX: "convex",
    pc.GeometryKind.PHASED: "phased",
}
_KIND_IDS = {name: kind for kind, name in _KIND_NAMES.items()}


@lru_cache(maxsize=32)
def to_geometry(fg: pc.FrameGeometry) -> Geometry:
    """Imaging geometry of a received frame (cached: the same header recurs every frame)."""
    return Geometry(
        _KIND_NAMES[fg.kind], fg.depth_start_mm, fg.depth_end_mm, fg.width_mm, fg.radius_mm, fg.fov_deg
    )


def to_frame_geometry(g: Geometry) -> pc.FrameGeometry:
    return pc.FrameGeometry(
        _KIND_IDS[g.kind], g.depth_start_mm, g.depth_end_mm, g.width_mm, g.radius_mm, g.fov_deg
    )
