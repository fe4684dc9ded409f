"""Bone or steel: the acoustic shadow test, and the mean level of a strip beside a line.

Bone reflects almost everything and casts a dark shadow below it; a needle has
tissue below it. The needle detector uses these to drop bone candidates before
the vote and to reject a shaft whose deeper side is a shadow.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from sonocart.imaging.needle_buffers import Arena, NeedleBuffers
from sonocart.imaging.scanconvert import Calibration

#: below a bone surface the image is this much darker than above it (a needle has tissue below).
SHADOW_RATIO = 0.35
#: … or this many grey levels darker (≈ 12 dB at 60 dB DR: raised TGC lifts a shadow's noise).
SHADOW_DROP = 50.0


def shadowed(
    image: np.ndarray, u: np.ndarray, v: np.ndarray, cal: Calibration, work: NeedleBuffers
) -> np.ndarray:
    """True where the tissue 2.5–4.5 mm below a bright pixel is far darker than above it: bone, not steel.

    (Not nearer: a bone surface blurred by a low-frequency probe is itself bright 1–2 mm deep.)
    Written into ``work.flag_b``."""
    h, w = image.shape
    n = u.size
    offsets = shadow_offsets(cal)
    flat_image = image.reshape(-1)
    idx = work.grab("shadow:idx", (3, n), np.intp)
    val = work.grab("shadow:grey", (3, n), np.uint8)
    level = work.grab("shadow:level", (3, n), np.float64)
    levels = []
    for side, sign in ((work.below[:n], 1), (work.above[:n], -1)):
        for j in range(3):
            np.add(v, sign * int(offsets[j]), out=idx[j])
        np.maximum(idx, 0, out=idx)
        np.minimum(idx, h - 1, out=idx)  # (np.clip's own checks cost more than the clipping)
        np.multiply(idx, w, out=idx)
        for j in range(3):
            np.add(idx[j], u, out=idx[j])
        flat_image.take(idx, out=val, mode="clip")
        np.copyto(level, val)
        np.add(level[0], level[1], out=side)
        np.add(side, level[2], out=side)
        np.divide(side, 3.0, out=side)  # the mean of the three, as .mean(axis=1)
        levels.append(side)
    below, above = levels
    darker, scratch = work.flag_a[:n], work.scratch[:n]
    result = work.flag_b[:n]
    np.less(below, np.multiply(above, SHADOW_RATIO, out=scratch), out=darker)
    np.greater(np.subtract(above, below, out=scratch), SHADOW_DROP, out=result)
    np.logical_or(darker, result, out=result)
    np.logical_and(result, np.less(v, h - int(offsets[-1]), out=darker), out=result)  # judged
    return result


def is_shadow(above: float, below: float) -> bool:
    """Whether a strip at level ``below`` under one at ``above`` is an acoustic shadow (NaN: not judged)."""
    return below == below and (below < SHADOW_RATIO * above or above - below > SHADOW_DROP)


@lru_cache(maxsize=8)
def shadow_offsets(cal: Calibration) -> np.ndarray:
    offsets = np.rint(np.array([2.5, 3.5, 4.5]) / cal.mm_per_px).astype(np.intp)
    offsets.setflags(write=False)
    return offsets


def side_mean(
    image: np.ndarray,
    search: np.ndarray,
    along: tuple[np.ndarray, np.ndarray],
    normal: tuple[float, float],
    offset: int,
    work: Arena,
) -> float:
    """Mean level of the strip ``offset`` pixels from the line through the samples ``along`` (u, v)
    (positive = deeper side); NaN when fewer than 4 of its pixels are in the searched region.

    In ``work``'s buffers (the grey levels are whole numbers: their sum, so the mean, is exact in
    any order)."""
    h, w = image.shape
    uu, vv = along
    nu, nv = normal
    sign = 1 if nv >= 0 else -1
    n = uu.size
    cols, rows = work.grab("side:u", (n,), np.float64), work.grab("side:v", (n,), np.float64)
    for out, base, d in ((cols, uu, nu), (rows, vv, nv)):
        np.add(base, sign * offset * d, out=out)
        np.rint(out, out=out)
    flat, ok = work.pixels("side", cols, rows, (h, w))
    test = work.grab("side:in", (n,), np.bool_)
    np.logical_and(ok, search.ravel().take(flat, out=test, mode="clip"), out=ok)
    count = int(np.count_nonzero(ok))
    if count < 4:
        return math.nan
    grey = work.grab("side:grey", (n,), np.float64)
    np.copyto(grey, image.ravel().take(flat, out=work.grab("side:grey8", (n,), np.uint8), mode="clip"))
    np.copyto(grey, 0.0, where=np.logical_not(ok, out=test))
    return float(grey.sum()) / count
