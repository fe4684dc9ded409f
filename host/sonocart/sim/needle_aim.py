"""In-plane needle paths aimed the way each block is done, from the scene's anatomy and the probe's footprint.

A test or bench that asks for "a 20° needle in the caudal view" wants a needle a block team
would see: its tip in the block's target structure, its shaft in the picture from where it
enters the view, and nothing in its way that a real needle could not pass. :func:`aimed_needle`
picks the tip among the scene's :data:`BLOCK_TARGETS` (anatomical coordinates; the one that
shows the longest shaft) and traces the shaft back from it to where it leaves the imaged region
or reaches the face. A path is refused when it meets bone before its tip, crosses a vessel's lumen, or has
under :data:`MIN_SHAFT_MM` of shaft below the first 4 mm at 80 % of its advance. When no target
works at the asked angle, the nearest angle from the same side that does is used (the returned
path's ``angle_deg`` says which), and only then a scene's :data:`FALLBACK_TARGETS`. Nothing here
looks at an image or at the detector.
"""

from __future__ import annotations

import math

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.sim.acoustics import ATTENUATION
from sonocart.sim.anatomy import Maps, anatomical_coordinates
from sonocart.sim.needle import NeedlePath
from sonocart.sim.scenes import scene

#: where the block puts the tip, (X, D) mm in the scene's anatomical coordinates.
BLOCK_TARGETS: dict[str, tuple[tuple[float, float], ...]] = {
    # under the fascia iliaca, at the nerve's medial edge, then over it, then lateral to it
    "femoral": ((-7.5, 24.5), (-10.0, 23.9), (-16.0, 24.0)),
    # the suprapatellar recess (the effusion): centre, distal and proximal parts, then deeper in it
    "knee": ((-3.0, 13.0), (3.0, 12.5), (-10.0, 12.5), (3.0, 14.5), (6.0, 13.5)),
    # the sacral hiatus between the cornua, under the sacrococcygeal ligament, then deeper in it
    "caudal": ((1.0, 10.5), (4.0, 10.0), (-4.0, 10.0), (4.0, 11.5), (-4.0, 11.5), (5.0, 12.0), (-5.0, 12.0)),
    # the trigger point: centre, its ends, its deep edge
    "muscle": ((4.0, 11.0), (2.0, 11.0), (6.0, 11.0), (1.5, 11.8), (6.5, 11.8), (4.0, 12.2)),
}
#: tried only when no block target fits at any angle near the asked one: a second site in the
#: scene (a phased probe's first centimetre is under 2 cm wide, so a needle from the right
#: cannot show 9 mm of shaft on the way to an 11 mm deep trigger point).
FALLBACK_TARGETS: dict[str, tuple[tuple[float, float], ...]] = {
    "muscle": ((-4.0, 22.0),),  # the deep muscle layer: a trigger point there
}
#: the least shaft accepted below the first 4 mm at 80 % of the advance (a shallow target seen
#: through a phased probe's narrow near field has little more).
MIN_SHAFT_MM = 9.0
#: the tip is no nearer than this to bone along the path, and a vessel's lumen is widened by this.
CLEARANCE_MM = 1.0
VESSEL_MARGIN_MM = 1.0
SEARCHED_FROM_MM = 4.0  # the first millimetres under the face are reverberation, in any scanner
STEP_MM = 0.1
ANGLE_STEP_DEG = 5.0
MAX_ANGLE_CHANGE_DEG = 45.0
#: insertion angles to the skin used in-plane: flatter runs centimetres under the skin before it
#: reaches anything, steeper is a near-vertical needle the beam barely returns.
IN_PLANE_DEG = (15.0, 75.0)


def in_view(geometry: Geometry, x: np.ndarray, z: np.ndarray, margin_mm: float = 0.5) -> np.ndarray:
    """Whether points (mm) are inside the imaged region, ``margin_mm`` in from its lateral edges."""
    if geometry.kind == "linear":
        half = geometry.width_mm / 2 - margin_mm
        deep_enough = (z >= geometry.depth_start_mm) & (z <= geometry.depth_end_mm)
        inside: np.ndarray = (np.abs(x) <= half) & deep_enough
        return inside
    radius = geometry.radius_mm if geometry.kind == "convex" else 0.0
    r = np.hypot(x, z + radius)
    lateral = r * np.sin(math.radians(geometry.fov_deg) / 2 - np.abs(np.arctan2(x, z + radius)))
    near, far = radius + geometry.depth_start_mm, radius + geometry.depth_end_mm
    in_sector: np.ndarray = (lateral >= margin_mm) & (r >= near) & (r <= far)
    return in_sector


def image_point(geometry: Geometry, target: tuple[float, float]) -> tuple[float, float]:
    """(x, z) of an anatomical (X, D): on a convex probe D follows the face, so z is solved for."""
    X, D = target
    if geometry.kind != "convex":
        return X, D
    lo, hi = -geometry.radius_mm, D + geometry.radius_mm
    for _ in range(60):  # D grows with z along a vertical line: bisection
        mid = 0.5 * (lo + hi)
        _, d = anatomical_coordinates(geometry, np.array([X]), np.array([mid]))
        lo, hi = (mid, hi) if float(d[0]) < D else (lo, mid)
    return X, 0.5 * (lo + hi)


def _path_to(
    geometry: Geometry, scene_name: str, tip: tuple[float, float], angle_deg: float, min_shaft_mm: float
) -> NeedlePath | None:
    ux, uz = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    back = np.arange(0.0, 4 * geometry.depth_end_mm, STEP_MM)
    x, z = tip[0] - back * ux, tip[1] - back * uz
    inside = in_view(geometry, x, z) & (z >= geometry.depth_start_mm + 1.0)
    if not inside[0]:
        return None
    reach = float(back[np.argmin(inside)] - STEP_MM) if not inside.all() else float(back[-1])
    along = np.arange(0.0, reach + CLEARANCE_MM, STEP_MM)
    ex, ez = tip[0] - reach * ux, tip[1] - reach * uz
    px, pz = ex + along * ux, ez + along * uz
    X, D = anatomical_coordinates(geometry, px, pz)
    maps = Maps(X, D, np.random.default_rng(0))
    scene(scene_name).paint(maps)  # bone and vessels are drawn without noise: the same as the scene's
    if (maps.alpha >= ATTENUATION["bone"]).any():
        return None
    for v in maps.vessels:
        (cx, cd), (ax, ad) = v.centre, v.semi_axes
        lumen = ((X - cx) / (ax + VESSEL_MARGIN_MM)) ** 2 + ((D - cd) / (ad + VESSEL_MARGIN_MM)) ** 2
        if (lumen < 1.0).any():
            return None
    shown = along <= 0.8 * reach
    if STEP_MM * int(((pz >= SEARCHED_FROM_MM) & shown).sum()) < min_shaft_mm:
        return None
    return NeedlePath((ex, ez), angle_deg, min_insertion_mm=0.45 * reach, max_insertion_mm=reach)


def _angles(angle_deg: float) -> list[float]:
    """``angle_deg``, then the nearest angles from the same side (steeper first on a tie)."""
    out = [angle_deg]
    n = int(MAX_ANGLE_CHANGE_DEG / ANGLE_STEP_DEG)
    steeper = 1.0 if angle_deg < 90.0 else -1.0
    for k in range(1, n + 1):
        for sign in (steeper, -steeper):
            a = angle_deg + sign * k * ANGLE_STEP_DEG
            to_skin = a if angle_deg < 90.0 else 180.0 - a
            if IN_PLANE_DEG[0] <= to_skin <= IN_PLANE_DEG[1]:
                out.append(a)
    return out


def aimed_needle(scene_name: str, geometry: Geometry, angle_deg: float) -> NeedlePath:
    """The in-plane needle of ``scene_name``'s block at ``angle_deg`` (or the nearest angle that can be)."""
    block, fallback = BLOCK_TARGETS[scene_name], FALLBACK_TARGETS.get(scene_name, ())
    for targets in (block, fallback):
        for angle in _angles(angle_deg):
            tips = [image_point(geometry, t) for t in targets]
            paths = [_path_to(geometry, scene_name, tip, angle, MIN_SHAFT_MM) for tip in tips]
            fits = [p for p in paths if p is not None]
            if fits:  # the one that shows the most shaft: what in-plane aiming is for
                return max(fits, key=lambda p: p.max_insertion_mm)
    raise ValueError(f"no {scene_name} needle near {angle_deg}° fits this view")
