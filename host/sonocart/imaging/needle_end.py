"""Is a shaft's tip an end: the bent-continuation test that tells a needle from a layer.

In plane a needle enters from the edge of the view and ends at its tip, inside it; a fascia or
bone surface crosses the view. A fascia that follows a convex probe's face runs straight along the
sector's edge (seen from an entry like a shaft) and then turns into its layer, which goes on at its
own echo level. Pure function on the detector's arrays, in display pixels; every array is a named
buffer of the caller's arena.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.needle_buffers import Arena
from sonocart.imaging.scanconvert import Calibration

cv2: Any = _cv2


def goes_on_bent(
    image: np.ndarray,
    search: np.ndarray,
    level: np.ndarray,
    threshold: float,
    cal: Calibration,
    work: Arena,
    shaft: tuple[tuple[float, float], tuple[float, float]],
    shaft_grey: float,
) -> bool:
    """Whether a bright ridge at the shaft's own level goes on from its tip in a direction bent from
    the shaft's: ``shaft`` = (tip, entry) in mm, ``shaft_grey`` its mean grey level; ``level`` the
    detector's half-resolution local tissue level, ``threshold`` its candidate level (grey levels
    above ``level``), ``search`` where it looks.

    A steel shaft ends at its tip, with tissue beyond. A fascia or bone surface that follows the
    probe's face bends on: its straight stretch along the sector's edge reads as a shaft from an
    entry, its "tip" is where it turns into the layer, and the layer goes on, crossing the view.
    Bright = at least the run's level (0.7 of the candidate level above the local tissue level; the
    largest grey of the 3 × 3 pixels around each sample), at :data:`ON_FILL` of the samples
    :data:`ON_FROM_MM` to :data:`ON_TO_MM` from the tip along any direction bent :data:`ON_MIN_DEG`
    to :data:`ON_MAX_DEG` either way (not straight on: a shaft's own blur and reverberation trail
    along it); at the shaft's own level = its mean grey at least :data:`ON_SAME` of the shaft's: a
    layer goes on at its own echo level, while a needle tip that touches a structure (under the
    fascia iliaca, beside the nerve) meets a dimmer echo than the steel's."""
    tip, entry = shaft
    a = math.atan2(tip[1] - entry[1], tip[0] - entry[0])
    ca, sa = math.cos(a), math.sin(a)
    along, across = _bent_rays(cal.mm_per_px)
    tu, tv = cal.to_px(*tip)
    h, w = image.shape
    n = along.size
    rays = n // _ON_STEPS
    grab = work.grab
    position, part = grab("on:p", (n,), np.float64), grab("on:part", (n,), np.float64)
    cols, rows = grab("on:cols", (n,), np.intp), grab("on:rows", (n,), np.intp)
    # each sample's pixel, tip + along·(cos a, sin a) + across·(−sin a, cos a), kept 1 px inside the
    # image so that its 3 × 3 neighbours are pixels of it
    for base, c_along, c_across, limit, out in ((tu, ca, -sa, w, cols), (tv, sa, ca, h, rows)):
        np.multiply(along, c_along, out=position)
        np.add(position, np.multiply(across, c_across, out=part), out=position)
        np.add(position, base, out=position)
        np.rint(position, out=position)
        np.copyto(out, position, casting="unsafe")
        np.maximum(out, 1, out=out)
        np.minimum(out, limit - 2, out=out)
    centre = grab("on:centre", (n,), np.intp)
    np.multiply(rows, w, out=centre)
    np.add(centre, cols, out=centre)
    flat = grab("on:flat", (9, n), np.intp)
    for k, (du, dv) in enumerate(_NEIGHBOURS):
        np.add(centre, du + dv * w, out=flat[k])
    grey_all = np.take(image.ravel(), flat, out=grab("on:grey", (9, n), np.uint8), mode="clip")
    grey = grab("on:grey_max", (1, n), np.uint8)  # (OpenCV's column maxima: numpy's allocate buffers)
    cv2.reduce(grey_all, 0, cv2.REDUCE_MAX, dst=grey)
    grey = grey[0]
    # the local tissue level at the sample's own half-resolution pixel; −255 outside the search
    excess = grab("on:excess", (n,), np.float64)
    np.floor_divide(cols, 2, out=cols)
    np.floor_divide(rows, 2, out=rows)
    np.multiply(rows, level.shape[1], out=rows)
    np.add(rows, cols, out=rows)
    np.copyto(excess, np.take(level.ravel(), rows, out=grab("on:level32", (n,), np.float32), mode="clip"))
    levels = grab("on:levels", (n,), np.float64)  # the grey levels, cast once (a ufunc over mixed
    np.copyto(levels, grey)  # dtypes would allocate its cast buffers)
    np.subtract(levels, excess, out=excess)
    inside = np.take(search.ravel(), centre, out=grab("on:inside", (n,), np.bool_), mode="clip")
    np.copyto(excess, -255.0, where=np.logical_not(inside, out=inside))
    bright = np.greater_equal(excess, 0.7 * threshold, out=grab("on:bright", (n,), np.bool_))
    # (per ray, by OpenCV's row sums, in float64: the counts and grey levels are whole numbers, so
    # their sums are exact in any order; numpy's reductions over an axis allocate their buffers)
    counted = grab("on:counted", (n,), np.float64)
    np.copyto(counted, bright)
    lit = grab("on:lit", (rays, 1), np.float64)
    cv2.reduce(counted.reshape(rays, _ON_STEPS), 1, cv2.REDUCE_SUM, dst=lit)
    ray_grey = grab("on:ray_grey", (rays, 1), np.float64)
    cv2.reduce(levels.reshape(rays, _ON_STEPS), 1, cv2.REDUCE_SUM, dst=ray_grey)
    np.divide(ray_grey, _ON_STEPS, out=ray_grey)  # (the mean, as numpy's: the sum over the count)
    lit, ray_grey = lit[:, 0], ray_grey[:, 0]
    on = np.greater_equal(lit, ON_FILL * _ON_STEPS, out=grab("on:on", (rays,), np.bool_))
    same = np.greater_equal(ray_grey, ON_SAME * shaft_grey, out=grab("on:same", (rays,), np.bool_))
    np.logical_and(on, same, out=on)
    return bool(on.any())


#: from the tip, a bent continuation is looked for this far,
ON_FROM_MM = 1.5
ON_TO_MM = 8.0
#: … at bends from the shaft's direction from ON_MIN_DEG up to ON_MAX_DEG, every 3° (6°–33°), both ways,
ON_MIN_DEG = 6.0
ON_MAX_DEG = 35.0
#: … and is there when bright at this fraction of its samples,
ON_FILL = 0.85
#: … at this fraction of the shaft's mean grey level or more (on the matrix and 972 needle-free frames:
#: the layers that go on are at 0.96–1.03 of their straight stretch; the one needle tip that meets a
#: structure, femoral convex 20°, at 0.87–0.88).
ON_SAME = 0.92
_ON_STEP_MM = 0.25
_ON_STEPS = round((ON_TO_MM - ON_FROM_MM) / _ON_STEP_MM) + 1
_NEIGHBOURS = [(du, dv) for dv in (-1, 0, 1) for du in (-1, 0, 1)]


@lru_cache(maxsize=8)
def _bent_rays(mm_per_px: float) -> tuple[np.ndarray, np.ndarray]:
    """The samples of every bent ray, along and across the shaft's direction, in pixels: one ray after
    the other, :data:`_ON_STEPS` samples each."""
    side = np.arange(ON_MIN_DEG, ON_MAX_DEG + 1e-9, 3.0)
    bends = np.radians(np.concatenate([side, -side]))
    r = np.linspace(ON_FROM_MM, ON_TO_MM, _ON_STEPS) / mm_per_px
    along = (r[None, :] * np.cos(bends)[:, None]).ravel()
    across = (r[None, :] * np.sin(bends)[:, None]).ravel()
    for array in (along, across):
        array.setflags(write=False)
    return along, across
