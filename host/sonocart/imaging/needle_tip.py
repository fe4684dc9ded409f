"""Where a shaft ends: its tip and its visible upper end along the fitted centreline.

Read every pixel along the centreline in a narrow band (so reverberations just below a steep shaft,
which trail past its tip, do not lengthen it): the dense run at half the shaft's own level, then
moved back to the half maximum (−6 dB) of the tip's own echo. In display pixels, in the frame's
arena (:mod:`~sonocart.imaging.needle_buffers`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import cv2 as _cv2
import numpy as np

from sonocart.imaging.needle_buffers import Arena, NeedleBuffers
from sonocart.imaging.needle_lines import Excess, row_max
from sonocart.imaging.needle_runs import last_argmax, longest_run
from sonocart.imaging.needle_shadow import shadowed

if TYPE_CHECKING:
    from sonocart.imaging.needle_judge import ShaftFrame

cv2: Any = _cv2

NARROW_PX = 1
#: … its offsets across (float64, made once: not an arange on every call)
_NARROW = np.arange(-NARROW_PX, NARROW_PX + 1, dtype=np.float64)
_NARROW.setflags(write=False)
#: along the centreline the shaft is bright in at least this fraction of every 1 mm.
TIP_WINDOW_MM = 1.0
TIP_DENSITY = 0.6
#: … the tip's run is of samples at least this fraction of the shaft's median level,
TIP_HALF = 0.5
#: … bridging dim stretches up to this long (a bright layer crossing the shaft raises its row's
#: mean, so the shaft's level above it dips over the layer's thickness),
TIP_GAP_MM = 1.0
#: … and then moved back to where the echo is 6 dB (half the amplitude) below the brightest stretch
#: of its last TIP_LOOK_MM, smoothed over TIP_SMOOTH_MM: 6 dB in grey levels at the default 60 dB
#: dynamic range and linear grey map (255 levels span it; at another range the drop is 6 · 60 / DR dB).
TIP_DROP = 255.0 * 6.0 / 60.0
TIP_LOOK_MM = 3.0
TIP_SMOOTH_MM = 0.5


def shaft_ends(
    frame: ShaftFrame,
    foot: tuple[float, float],
    direction: tuple[float, float],
    normal: tuple[float, float],
    span: tuple[float, float],
    run: tuple[float, float],
    centreline: tuple[float, float],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(tip, entry) in mm: the ends of the shaft along its fitted centreline, every pixel, in a narrow
    band, so reverberations just below a steep shaft (which trail past its tip) do not lengthen it."""
    work, cal = frame.work, frame.cal
    assert cal is not None
    h, w = frame.image.shape
    step = 1.0
    t = work.arange("ends:t", span[0], span[1] + 0.5, step)
    i0, i1 = round((run[0] - span[0]) / step), round((run[1] - span[0]) / step)
    cu, cv = work.along("ends", t, foot, direction, (*centreline, *normal))
    flat, rows = work.band_pixels("narrow", (cu, cv), _NARROW, normal, 1.0, (h, w))
    # the tip is where the shaft's echo falls to half its own level (the median along the run):
    # a fixed low threshold would run on past the tip's blur into tissue beyond it
    excess = Excess(frame.image, frame.row_level, frame.search, work, frame.level, work.half_index)
    along = row_max(excess.at("narrow", flat, rows), work.grab("narrow:max", (cu.size,), np.float64))
    # a needle tip is not on bone: a run that ends on a bone surface past a dim gap ends before it
    i1 = _before_bone(frame, (cu, cv), along, (i0, i1))
    shaft_level = _median(work, along[i0 : i1 + 1])
    core = np.greater_equal(
        along,
        max(frame.threshold * 0.7, TIP_HALF * shaft_level),
        out=work.grab("ends:core", along.shape, np.bool_),
    )
    # a shaft is densely bright; speckle past the tip is not: keep samples in dense stretches,
    # then bridge short gaps (a layer crossing the shaft may dim it briefly)
    window = max(3, round(TIP_WINDOW_MM / cal.mm_per_px / step))
    dense = _dense(work, core, window)
    core_run = longest_run(
        np.logical_and(core, dense, out=dense), round(TIP_GAP_MM / cal.mm_per_px / step), work
    )
    if core_run is not None and core_run[1] - core_run[0] >= (i1 - i0) // 2:
        i0, i1 = core_run
    # … and within that run's end, at half the tip's own height (a blurred edge read at half
    # the shaft's level in grey levels, which are logarithmic, lies past the tip)
    # (read against the row's mean: the local level takes in the shaft's own echo, which fades with it
    # at the tip, and would move the half maximum)
    by_row = excess.against_rows("narrow", rows)
    i1 = _tip_at_half_maximum(
        work, row_max(by_row, work.grab("tip:max", (cu.size,), np.float64)), i0, i1, cal.mm_per_px / step
    )
    a = cal.to_mm(float(cu[i0]), float(cv[i0]))
    b = cal.to_mm(float(cu[i1]), float(cv[i1]))
    return (b, a) if b[1] >= a[1] else (a, b)


def own_level_end(work: NeedleBuffers, grey: np.ndarray, gap: int) -> int | None:
    """Where a run's own grey level ends: the last step of the longest stretch (bridging ``gap``
    steps) where the band's brightest pixel is within :data:`TIP_DROP` of its median over the run
    (``grey``: the run's full-resolution band, a row a step); ``None`` where that stretch does not
    start at the run's first step or goes on to its last (nothing to cut)."""
    n = grey.shape[0]
    shaft = row_max(grey, work.grab("own:max", (n,), np.uint8))
    level = work.grab("own:level", (n,), np.float64)
    np.copyto(level, shaft)
    keep = np.greater_equal(shaft, _median(work, level) - TIP_DROP, out=work.grab("own:keep", (n,), np.bool_))
    found = longest_run(keep, gap, work)
    if found is None or found[0] != 0 or found[1] >= n - 1:
        return None
    return found[1]


def _dense(work: Arena, lit: np.ndarray, window: int) -> np.ndarray:
    """Where at least :data:`TIP_DENSITY` of the ``window`` samples centred on each (as a box
    convolution's "same" mode centres them; fewer at the ends) are ``lit`` (contiguous): counted
    exactly, in ``work``'s buffers.

    OpenCV's unnormalised box filter over the samples as a one-row image sums whole numbers: its
    window is [i − ⌊w/2⌋, i + ⌊(w−1)/2⌋] (the kernel's anchor at ⌊w/2⌋), zeros beyond the ends."""
    n = lit.size
    count = work.grab("dense:count", (1, n), np.uint16)  # (at most a window's worth: far below 2**16)
    cv2.boxFilter(
        lit.view(np.uint8).reshape(1, n),
        cv2.CV_16U,
        (window, 1),
        dst=count,
        normalize=False,
        borderType=cv2.BORDER_CONSTANT,
    )
    needed = np.uint16(math.ceil(TIP_DENSITY * window - 1e-9))
    dense: np.ndarray = np.greater_equal(count[0], needed, out=work.grab("ends:dense", (n,), np.bool_))
    return dense


def _median(work: NeedleBuffers, values: np.ndarray) -> float:
    """``np.median(values)`` (float64, no NaN; the same order statistics, so the same value), sorted
    by OpenCV into a buffer (numpy's partition and sort allocate their own work arrays)."""
    n = values.size
    part = work.grab("ends:median", (1, n), np.float64)
    cv2.sort(values.reshape(1, n), cv2.SORT_EVERY_ROW | cv2.SORT_ASCENDING, dst=part)
    half = n // 2
    if n % 2:
        return float(part[0, half])
    return float((part[0, half - 1] + part[0, half]) / 2.0)


@lru_cache(maxsize=16)
def _box(k: int) -> np.ndarray:
    """``np.ones(k) / k``, made once per length."""
    box = np.ones(k) / k
    box.setflags(write=False)
    return box


def _tip_at_half_maximum(work: Arena, along: np.ndarray, i0: int, i1: int, mm_per_step: float) -> int:
    """The last sample up to ``i1`` still within :data:`TIP_DROP` grey levels (6 dB, half the
    amplitude) of the brightest stretch of the shaft's last :data:`TIP_LOOK_MM` (smoothed over
    :data:`TIP_SMOOTH_MM`): where the blurred tip echo is at half its height."""
    lo = max(i0, i1 - max(3, round(TIP_LOOK_MM / mm_per_step)))
    k = max(1, round(TIP_SMOOTH_MM / mm_per_step))
    smooth = np.convolve(along[lo : i1 + 1 + k], _box(k), mode="same")[: i1 + 1 - lo]
    # (the last one within the drop: the first from the end, where np.flatnonzero would allocate)
    keep = np.greater_equal(
        smooth, float(smooth.max()) - TIP_DROP, out=work.grab("tip:keep", smooth.shape, np.bool_)
    )
    return lo + smooth.size - 1 - last_argmax(keep.view(np.uint8), work.grab)


def _before_bone(
    frame: ShaftFrame, centre: tuple[np.ndarray, np.ndarray], along: np.ndarray, run: tuple[int, int]
) -> int:
    """The run's deep end ``run[1]``, or, where its last bright stretch (at the candidate level,
    ``along`` the centreline ``centre``) lies past a dim gap in the run's second half and has an
    acoustic shadow under most of it (a bone surface the shaft points at: the sacrum beyond the
    hiatus), the last bright step before that gap.

    (The run bridges gaps of :data:`~sonocart.imaging.needle_judge.GAP_MM`, so it can go on from the
    tip onto the bone a millimetre or two further; the tip's half maximum would then be read on the
    bone's echo.)"""
    work, cal = frame.work, frame.cal
    assert cal is not None
    i0, i1 = run
    level = frame.threshold * 0.7
    k = i1
    while k > i0 and along[k] >= level:  # back over the last bright stretch
        k -= 1
    if k == i1 or k <= i0 + (i1 - i0) // 2:
        return i1  # no gap before the end, or in the run's first half
    n = i1 - k
    u, v = work.grab("bone:u", (n,), np.intp), work.grab("bone:v", (n,), np.intp)
    h, w = frame.image.shape
    for out, values, size in ((u, centre[0], w), (v, centre[1], h)):
        place = np.rint(values[k + 1 : i1 + 1], out=work.grab("bone:place", (n,), np.float64))
        np.clip(place, 0.0, size - 1.0, out=place)
        np.copyto(out, place, casting="unsafe")
    bone = shadowed(frame.image, u, v, cal, work)
    if 2 * int(np.count_nonzero(bone)) < n:
        return i1  # tissue under it: the shaft's own
    while k > i0 and along[k] < level:  # back over the gap
        k -= 1
    return k
