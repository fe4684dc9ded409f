"""Scan conversion is textbook bilinear at each pixel's own (line, sample), for every probe geometry.

Oracles: positions worked out by hand (trigonometry written below as numbers), and a
polar bilinear interpolation written here in plain numpy from the textbook formula —
neither uses ``Geometry.to_xz`` / ``to_line_sample`` nor anything else of the code under test.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.scanconvert import Calibration, ScanConverter

LINEAR = Geometry("linear", 0.0, 40.0, width_mm=38.0)
CONVEX = Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0)
PHASED = Geometry("phased", 0.0, 100.0, fov_deg=90.0)

# (geometry, n_lines, n_samples, (line, sample), expected (x, z) mm, mm per px at 800 x 600, origin v px)
# linear: 39 lines 1 mm apart from x = -19; 401 samples 0.1 mm apart. Line 5 → x = -14, sample 300 → 30 mm.
#   800 x 600: max(38 / 799, 40 / 599) = 0.066778 mm/px, origin at the top centre.
# convex: 121 lines 0.5° apart from -30°; line 20 → -20°; 1001 samples 0.08 mm apart, sample 500 → 40 mm,
#   r = 80 mm from the arc's centre: x = -80 sin 20° = -27.3616, z = 80 cos 20° - 40 = 35.1754.
#   Extent x ±120 sin 30° = ±60, z from 40 cos 30° - 40 = -5.359 to 80: max(120 / 799, 85.359 / 599)
#   = 0.150188 mm/px; the face's top corners sit at z = -5.359, so the origin is 35.682 px down.
# phased: 121 lines 0.75° apart from -45°; line 20 → -30°; 1001 samples 0.1 mm apart, sample 600 → 60 mm:
#   x = -60 sin 30° = -30, z = 60 cos 30° = 51.9615. max(200 sin 45° / 799, 100 / 599) = 0.176998 mm/px.
HAND_POINTS = [
    (LINEAR, 39, 401, (5, 300), (-14.0, 30.0), 0.0667780, 0.0),
    (CONVEX, 121, 1001, (20, 500), (-27.3616, 35.1754), 0.1501877, 35.6819),
    (PHASED, 121, 1001, (20, 600), (-30.0, 51.9615), 0.1769979, 0.0),
]


def _blob(n_lines: int, n_samples: int, line: float, sample: float) -> np.ndarray:
    li, si = np.meshgrid(np.arange(n_lines), np.arange(n_samples), indexing="ij")
    blob = np.exp(-0.5 * (((li - line) / 0.7) ** 2 + ((si - sample) / 3.0) ** 2))
    return np.ascontiguousarray(np.rint(blob * 255), dtype=np.uint8)


def _centroid(image: np.ndarray, u: float, v: float, radius: int = 10) -> tuple[float, float]:
    u0, v0 = round(u), round(v)
    win = image[v0 - radius : v0 + radius + 1, u0 - radius : u0 + radius + 1].astype(float)
    vv, uu = np.mgrid[v0 - radius : v0 + radius + 1, u0 - radius : u0 + radius + 1]
    assert win.sum() > 0, f"nothing near ({u:.1f}, {v:.1f})"
    return float((uu * win).sum() / win.sum()), float((vv * win).sum() / win.sum())


@pytest.mark.parametrize(
    ("geometry", "n_lines", "n_samples", "at", "xz", "mm_per_px", "origin_v"), HAND_POINTS
)
def test_an_off_axis_point_lands_where_the_trigonometry_puts_it_left_and_right(
    geometry: Geometry,
    n_lines: int,
    n_samples: int,
    at: tuple[int, int],
    xz: tuple[float, float],
    mm_per_px: float,
    origin_v: float,
) -> None:
    conv = ScanConverter(geometry, n_lines, n_samples, 800, 600)
    cal = conv.calibration
    assert cal.mm_per_px == pytest.approx(mm_per_px, abs=1e-6)
    assert cal.origin_px == pytest.approx((399.5, origin_v), abs=1e-3)
    line, sample = at
    for mirrored_line, sign in ((line, -1.0), (n_lines - 1 - line, 1.0)):  # line 0 is the leftmost
        image = conv.convert(_blob(n_lines, n_samples, mirrored_line, sample)).copy()
        u = 399.5 + sign * abs(xz[0]) / mm_per_px
        v = origin_v + xz[1] / mm_per_px
        cu, cv = _centroid(image, u, v)
        assert math.hypot(cu - u, cv - v) <= 1.0, (geometry.kind, mirrored_line, (u, v), (cu, cv))
        # and nothing of it on the other side of the centre line
        other = image[:, : round(399.5 - 20)] if sign > 0 else image[:, round(399.5 + 20) :]
        assert other.max() == 0


def _textbook_line_sample(
    geometry: Geometry, n_lines: int, n_samples: int, u: np.ndarray, v: np.ndarray, cal: Calibration
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel centres → (x, z) mm → exact fractional (line, sample), and a band coordinate: the
    beam angle in degrees (sector probes) or the lateral position in mm (linear)."""
    x = (u - cal.origin_px[0]) * cal.mm_per_px
    z = (v - cal.origin_px[1]) * cal.mm_per_px
    depth_step = (geometry.depth_end_mm - geometry.depth_start_mm) / (n_samples - 1)
    if geometry.kind == "linear":
        line = (x + geometry.width_mm / 2) / (geometry.width_mm / (n_lines - 1))
        return line, (z - geometry.depth_start_mm) / depth_step, x
    radius = geometry.radius_mm if geometry.kind == "convex" else 0.0
    theta = np.arctan2(x, z + radius)  # from the centre line, positive to the right
    r = np.hypot(x, z + radius)  # from the arc's centre (the apex of a phased probe)
    line = (theta + math.radians(geometry.fov_deg) / 2) / (math.radians(geometry.fov_deg) / (n_lines - 1))
    return line, (r - radius - geometry.depth_start_mm) / depth_step, np.degrees(theta)


def _bilinear(lines: np.ndarray, line: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """The 4-neighbour weighted sum at fractional (line, sample)."""
    n_lines, n_samples = lines.shape
    l0 = np.clip(np.floor(line), 0, n_lines - 2).astype(int)
    s0 = np.clip(np.floor(sample), 0, n_samples - 2).astype(int)
    fl, fs = line - l0, sample - s0
    f = lines.astype(np.float64)
    value: np.ndarray = (
        f[l0, s0] * (1 - fl) * (1 - fs)
        + f[l0 + 1, s0] * fl * (1 - fs)
        + f[l0, s0 + 1] * (1 - fl) * fs
        + f[l0 + 1, s0 + 1] * fl * fs
    )
    return value


def _rings(geometry: Geometry, n_lines: int, n_samples: int, period_mm: float) -> np.ndarray:
    """Concentric rings about the arc centre (apex): a cosine of the range, 0.63 mm period."""
    depth = np.linspace(geometry.depth_start_mm, geometry.depth_end_mm, n_samples)
    row = np.rint(127.5 + 127.5 * np.cos(2 * np.pi * depth / period_mm))
    return np.ascontiguousarray(np.broadcast_to(row, (n_lines, n_samples)), dtype=np.uint8)


def _spokes(n_lines: int, n_samples: int) -> np.ndarray:
    """Radial spokes: a cosine across lines, 6 lines a period (interpolation between lines)."""
    col = np.rint(127.5 + 127.5 * np.cos(2 * np.pi * np.arange(n_lines) / 6.0))
    return np.ascontiguousarray(np.broadcast_to(col[:, None], (n_lines, n_samples)), dtype=np.uint8)


@pytest.mark.parametrize("geometry", [LINEAR, CONVEX, PHASED], ids=lambda g: g.kind)
@pytest.mark.parametrize("viewport", [(800, 600), (640, 900)])
@pytest.mark.parametrize("pattern", ["rings", "spokes"])
def test_fine_patterns_match_textbook_polar_bilinear_at_every_angle(
    geometry: Geometry, viewport: tuple[int, int], pattern: str
) -> None:
    n_lines, n_samples = 128, 1024
    lines = _rings(geometry, n_lines, n_samples, 0.63) if pattern == "rings" else _spokes(n_lines, n_samples)
    conv = ScanConverter(geometry, n_lines, n_samples, *viewport)
    image = conv.convert(lines).astype(np.float64)
    v, u = np.mgrid[0 : viewport[1], 0 : viewport[0]].astype(np.float64)
    line, sample, band = _textbook_line_sample(geometry, n_lines, n_samples, u, v, conv.calibration)
    # at least one line and sample inside the data, so the border rule does not matter
    valid = (line >= 1) & (line <= n_lines - 2) & (sample >= 1) & (sample <= n_samples - 2)
    ref = _bilinear(lines, line, sample)
    edges = np.linspace(band[valid].min(), band[valid].max(), 7)  # six bands, centre to both edges
    for lo, hi in itertools.pairwise(edges):
        sel = valid & (band >= lo) & (band <= hi)
        assert sel.sum() > 500
        rms = float(np.sqrt(np.mean((image[sel] - ref[sel]) ** 2)))
        assert rms <= 3.0, (geometry.kind, viewport, pattern, (round(lo, 1), round(hi, 1)), rms)


@pytest.mark.parametrize("geometry", [LINEAR, CONVEX, PHASED], ids=lambda g: g.kind)
def test_the_imaged_region_is_exact_to_its_edges_and_black_outside(geometry: Geometry) -> None:
    n_lines, n_samples = 64, 512
    conv = ScanConverter(geometry, n_lines, n_samples, 400, 300)
    image = conv.convert(np.full((n_lines, n_samples), 200, np.uint8))
    v, u = np.mgrid[0:300, 0:400].astype(np.float64)
    line, sample, _ = _textbook_line_sample(geometry, n_lines, n_samples, u, v, conv.calibration)
    margin = 0.01
    inside = (line >= margin) & (line <= n_lines - 1 - margin) & (sample >= margin)
    inside &= sample <= n_samples - 1 - margin
    outside = (line < -margin) | (line > n_lines - 1 + margin) | (sample < -margin)
    outside |= sample > n_samples - 1 + margin
    assert 0.2 < inside.mean() < 1.0 or geometry.kind == "linear"
    assert (image[inside] == 200).all()  # no darkened rim: edge pixels use their own samples
    assert (image[outside] == 0).all()


def test_conversion_writes_in_place_into_one_image_and_allocates_nothing() -> None:
    from tools.bench.__main__ import alloc_bytes_per_frame

    conv = ScanConverter(CONVEX, 64, 512, 400, 300)
    a = np.full((64, 512), 90, np.uint8)
    b = np.full((64, 512), 180, np.uint8)
    first = conv.convert(a)
    assert conv.convert(b) is first and first.max() == 180  # the same buffer, rewritten
    harness = alloc_bytes_per_frame(lambda: None, 20)
    # (at most the transient shape tuple of the input check; nothing of the image's size)
    assert alloc_bytes_per_frame(lambda: conv.convert(a), 20) - harness <= 64
    assert (first[first > 0] == 90).all()  # every band landed in the image itself
