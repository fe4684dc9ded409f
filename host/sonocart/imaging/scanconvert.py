"""Scan conversion: scan lines → a Cartesian display image with square pixels.

Separable bilinear interpolation in two passes, both table-driven:

1. *along each line*: every line is sampled at the depth of every display row
   (a small ``[rows, lines]`` intermediate);
2. *across lines*: every pixel interpolates between its two neighbouring lines
   on its own row.

Each pass is one gather of neighbour *pairs* (packed in a uint32) and three
integer operations with 8-bit weights (see :class:`_PairLerp`). All tables are
built once per (geometry, line shape, viewport) and cached by
:func:`conversion_tables`; a frame allocates nothing. Pixels outside the imaged
region point at a permanently zero pair, so they stay black without a mask.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sonocart.imaging.geometry import Geometry

_ONE = 256  # fixed-point weight scale: 8 fractional bits
#: horizontal bands of the second pass: each computes only the columns its rows need.
PASS2_BANDS = 6


def _bands(r0: int, r1: int, n: int) -> list[tuple[int, int]]:
    edges = np.linspace(r0, r1, min(n, r1 - r0) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


@dataclass(frozen=True)
class Calibration:
    """Where millimetres land: a point (x, z) mm is at ``origin_px + (x, z) / mm_per_px``."""

    mm_per_px: float
    origin_px: tuple[float, float]
    width_px: int
    height_px: int

    def to_px(self, x_mm: float, z_mm: float) -> tuple[float, float]:
        return self.origin_px[0] + x_mm / self.mm_per_px, self.origin_px[1] + z_mm / self.mm_per_px

    def to_mm(self, u_px: float, v_px: float) -> tuple[float, float]:
        return (u_px - self.origin_px[0]) * self.mm_per_px, (v_px - self.origin_px[1]) * self.mm_per_px


def fit_calibration(geometry: Geometry, width_px: int, height_px: int) -> Calibration:
    """Largest square-pixel scale at which the whole imaged region fits, centred, top-aligned."""
    x0, x1, z0, z1 = geometry.extent_mm()
    mm_per_px = max((x1 - x0) / (width_px - 1), (z1 - z0) / (height_px - 1))
    origin_u = (width_px - 1) / 2 - (x0 + x1) / 2 / mm_per_px
    origin_v = -z0 / mm_per_px
    return Calibration(mm_per_px, (origin_u, origin_v), width_px, height_px)


def _weights(frac: np.ndarray) -> np.ndarray:
    """``W = w + (256 − w)·2¹⁶`` for 8-bit fractions ``w`` (see :class:`_PairLerp`)."""
    w = np.rint(np.clip(frac, 0.0, 1.0) * _ONE).astype(np.uint32)
    weights: np.ndarray = (w + ((_ONE - w) << np.uint32(16))).astype(np.uint32)
    weights.setflags(write=False)
    return weights


def _index(idx: np.ndarray) -> np.ndarray:
    """Gather indices, shared between converters. Left writeable on purpose: ``take`` copies
    (allocates) read-only index arrays on every call."""
    out: np.ndarray = np.ascontiguousarray(idx, dtype=np.intp)
    return out


class _PairLerp:
    """One pass of linear interpolation between neighbour pairs, in a single integer multiply.

    A pair is a uint32 with the two neighbours in 16-bit lanes, ``Q = lo + hi·2¹⁶``;
    the weights are ``W = w + (256 − w)·2¹⁶`` with ``w`` the 8-bit fraction. Modulo 2³²,
    ``Q·W = lo·w + (lo·(256 − w) + hi·w)·2¹⁶``, and neither lane overflows (both are
    at most 255·256), so the top 16 bits hold the interpolated value × 256 and,
    after adding 2²³ to round, the top byte *is* the result: a gather, a multiply,
    an add and a shift per pixel. Tables are shared (read-only); buffers are its own.
    """

    def __init__(self, idx: np.ndarray, weights: np.ndarray) -> None:
        self.idx = idx
        self.weights = weights
        self.acc = np.zeros(idx.size, dtype=np.uint32)
        # 0-d constants: a scalar operand would be converted to an array (allocated) every call
        self._round = np.array(1 << 23, dtype=np.uint32)
        self._top = np.array(24, dtype=np.uint32)

    def run(self, pairs: np.ndarray) -> np.ndarray:
        """uint32 pairs → interpolated values 0..255, as uint32 (a reused buffer)."""
        pairs.take(self.idx, None, self.acc, "clip")
        np.multiply(self.acc, self.weights, out=self.acc)  # wraps modulo 2**32, as intended
        np.add(self.acc, self._round, out=self.acc)
        np.right_shift(self.acc, self._top, out=self.acc)
        return self.acc


@dataclass(frozen=True)
class _Band:
    rows: tuple[int, int]
    cols: tuple[int, int]
    idx: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class ConversionTables:
    """Everything geometric about one (geometry, line shape, viewport): computed once, shared, read-only."""

    calibration: Calibration
    inside: np.ndarray  # bool [h, w]: pixels that show tissue
    first_row: int
    n_rows: int
    pass1_idx: np.ndarray
    pass1_weights: np.ndarray
    bands: tuple[_Band, ...]


def _sample_at_row(geometry: Geometry, z: np.ndarray, n_lines: int, n_samples: int) -> np.ndarray:
    """Fractional sample index where each line crosses each depth ``z`` (mm): ``[len(z), n_lines]``."""
    dz = (geometry.depth_end_mm - geometry.depth_start_mm) / (n_samples - 1)
    if geometry.kind == "linear":
        s = (z - geometry.depth_start_mm) / dz
        return np.repeat(s[:, None], n_lines, axis=1)
    radius = geometry.radius_mm if geometry.kind == "convex" else 0.0
    cos_t = np.cos(geometry.line_angles_rad(n_lines))[None, :]
    r = (z[:, None] + radius) / cos_t
    s_rows: np.ndarray = (r - radius - geometry.depth_start_mm) / dz
    return s_rows


@lru_cache(maxsize=16)
def conversion_tables(
    geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
) -> ConversionTables:
    """The tables, cached: rebuilt only when geometry, line shape or viewport change."""
    if n_lines < 2 or n_samples < 2:
        raise ValueError("scan conversion needs at least 2 lines and 2 samples")
    cal = fit_calibration(geometry, width_px, height_px)
    v, u = np.mgrid[0:height_px, 0:width_px].astype(np.float64)
    x = (u - cal.origin_px[0]) * cal.mm_per_px
    z = (v - cal.origin_px[1]) * cal.mm_per_px
    li, si = geometry.to_line_sample(x, z, n_lines, n_samples)
    eps = 1e-9
    inside = (li >= -eps) & (li <= n_lines - 1 + eps) & (si >= -eps) & (si <= n_samples - 1 + eps)
    inside.setflags(write=False)
    rows = np.flatnonzero(inside.any(axis=1))
    if rows.size == 0:
        raise ValueError("the imaged region does not reach the viewport")
    r0, r1 = int(rows[0]), int(rows[-1]) + 1

    # pass 1: each line at the depth of each display row that shows any tissue
    z_rows = (np.arange(r0, r1, dtype=np.float64) - cal.origin_px[1]) * cal.mm_per_px
    s_rows = np.clip(_sample_at_row(geometry, z_rows, n_lines, n_samples), 0.0, n_samples - 1)
    s0 = np.minimum(np.floor(s_rows), n_samples - 2).astype(np.intp)
    line_of = np.arange(n_lines, dtype=np.intp)[None, :]
    pass1_idx = _index((line_of * n_samples + s0).ravel())
    pass1_weights = _weights((s_rows - s0).ravel())

    # pass 2: each pixel between its two lines, on its row; outside → a zero pair at column n_lines.
    # Rows are cut into bands, each covering only its own columns with tissue (less wasted work).
    stride = n_lines + 1
    bands = []
    for b0, b1 in _bands(r0, r1, PASS2_BANDS):
        cols = np.flatnonzero(inside[b0:b1].any(axis=0))
        if cols.size == 0:
            continue
        c0, c1 = int(cols[0]), int(cols[-1]) + 1
        box_inside = inside[b0:b1, c0:c1]
        li_box = np.clip(li[b0:b1, c0:c1], 0.0, n_lines - 1)
        l0 = np.minimum(np.floor(li_box), n_lines - 2).astype(np.intp)
        row_of = np.arange(b0 - r0, b1 - r0, dtype=np.intp)[:, None]
        idx2 = np.where(box_inside, row_of * stride + l0, row_of * stride + n_lines)
        frac = np.where(box_inside, li_box - l0, 0.0)
        bands.append(_Band((b0, b1), (c0, c1), _index(idx2.ravel()), _weights(frac.ravel())))
    return ConversionTables(cal, inside, r0, r1 - r0, pass1_idx, pass1_weights, tuple(bands))


class ScanConverter:
    """Separable bilinear scan conversion for one geometry, line shape and viewport.

    Stage contract: ``uint8 [n_lines, n_samples]`` → ``uint8 [height, width]``. The tables
    come from :func:`conversion_tables` (shared); the buffers, output included, are this
    converter's own, so two pipelines never write into each other's image.
    """

    in_dtype = np.dtype(np.uint8)
    out_dtype = np.dtype(np.uint8)

    def __init__(
        self, geometry: Geometry, n_lines: int, n_samples: int, width_px: int, height_px: int
    ) -> None:
        t = self.tables = conversion_tables(geometry, n_lines, n_samples, width_px, height_px)
        self.geometry = geometry
        self.shape = (n_lines, n_samples)
        self.calibration = t.calibration
        self.inside = t.inside
        self.out = np.zeros((height_px, width_px), dtype=np.uint8)
        self.out_flat = self.out.reshape(-1)
        n_rows = t.n_rows
        self._pass1 = _PairLerp(t.pass1_idx, t.pass1_weights)
        # line pairs = lines + (lines shifted by one sample) · 2¹⁶, on flat buffers (views made once:
        # a view is an allocation, and 2-D strided ufuncs allocate iterator buffers)
        n = n_lines * n_samples
        self._line_pairs = np.zeros(n, dtype=np.uint32)
        self._next_sample = np.zeros(n, dtype=np.uint32)
        self._lines_2d = self._line_pairs.reshape(n_lines, n_samples)
        self._next_dst, self._next_src = self._next_sample[:-1], self._line_pairs[1:]
        self._sixteen = np.array(16, dtype=np.uint32)
        self._along = self._pass1.acc.reshape(n_rows, n_lines)
        stride = n_lines + 1
        self._row_pairs = np.zeros(n_rows * stride, dtype=np.uint32)
        row_lanes = self._row_pairs.view(np.uint16).reshape(n_rows, stride, 2)
        self._row_lo = row_lanes[:, :n_lines, 0]
        self._row_hi_dst, self._row_hi_src = row_lanes[:, : n_lines - 1, 1], self._along[:, 1:]
        self._bands: list[tuple[_PairLerp, np.ndarray, np.ndarray]] = []
        for band in t.bands:
            (b0, b1), (c0, c1) = band.rows, band.cols
            lerp = _PairLerp(band.idx, band.weights)
            self._bands.append((lerp, self.out[b0:b1, c0:c1], lerp.acc.reshape(b1 - b0, c1 - c0)))
        self.pixels_computed = sum(band.idx.size for band in t.bands)

    def convert(self, display_lines: np.ndarray) -> np.ndarray:
        """uint8 ``[n_lines, n_samples]`` → uint8 ``[height, width]`` (a buffer reused every call)."""
        if display_lines.shape != self.shape or display_lines.dtype != np.uint8:
            raise ValueError(
                f"converter built for uint8 {self.shape}, got {display_lines.dtype} {display_lines.shape}"
            )
        np.copyto(self._lines_2d, display_lines)
        np.copyto(self._next_dst, self._next_src)
        np.left_shift(self._next_sample, self._sixteen, out=self._next_sample)
        np.bitwise_or(self._line_pairs, self._next_sample, out=self._line_pairs)
        self._pass1.run(self._line_pairs)
        np.copyto(self._row_lo, self._along, casting="unsafe")
        np.copyto(self._row_hi_dst, self._row_hi_src, casting="unsafe")
        i, bands = 0, self._bands
        while i < len(bands):  # (a for loop would allocate its iterator every frame)
            lerp, dst, result = bands[i]
            lerp.run(self._row_pairs)
            np.copyto(dst, result, casting="unsafe")
            i += 1
        return self.out
