"""Millimetres on screen are millimetres in the patient: calipers, depths and a cyst, for every probe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.measure import Calipers, depth_mm, measure
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.scanconvert import Calibration

PROBES = {
    "linear": Geometry("linear", 0.0, 40.0, width_mm=38.0),
    "convex": Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0),
    "phased": Geometry("phased", 0.0, 100.0, fov_deg=90.0),
}
N_LINES, N_SAMPLES = 128, 1024
#: point pairs (mm) per probe: a vertical, a horizontal and an oblique distance, off centre
POINTS = {
    "linear": [(-10.0, 8.0), (-10.0, 30.0), (12.0, 30.0), (5.0, 15.0)],
    "convex": [(-15.0, 20.0), (-15.0, 60.0), (20.0, 60.0), (8.0, 35.0)],
    "phased": [(-20.0, 40.0), (-20.0, 80.0), (25.0, 80.0), (10.0, 50.0)],
}
CYSTS = {"linear": ((8.0, 20.0), 8.0), "convex": ((14.0, 40.0), 10.0), "phased": ((-15.0, 55.0), 12.0)}


def _tolerance(cal: Calibration) -> float:
    return max(0.5, cal.mm_per_px)


def _sample_grid(g: Geometry) -> tuple[np.ndarray, np.ndarray]:
    li, si = np.meshgrid(np.arange(N_LINES), np.arange(N_SAMPLES), indexing="ij")
    return g.to_xz(li, si, N_LINES, N_SAMPLES)


def _points_frame(g: Geometry, points: list[tuple[float, float]]) -> np.ndarray:
    """Point scatterers with a small isotropic PSF (0.5 mm), sampled where the probe samples."""
    x, z = _sample_grid(g)
    amp = np.zeros(x.shape)
    for px, pz in points:
        amp += np.exp(-0.5 * ((x - px) ** 2 + (z - pz) ** 2) / 0.5**2)
    return (np.clip(amp, 0, 1) * 65535).astype(np.uint16)


def _centroid(image: np.ndarray, cal: Calibration, p_mm: tuple[float, float]) -> tuple[float, float]:
    u, v = cal.to_px(*p_mm)
    r = max(4, round(1.5 / cal.mm_per_px))
    u0, v0 = round(u), round(v)
    win = image[v0 - r : v0 + r + 1, u0 - r : u0 + r + 1].astype(float)
    win = np.where(win > 0.5 * win.max(), win, 0.0)
    vv, uu = np.mgrid[v0 - r : v0 + r + 1, u0 - r : u0 + r + 1]
    return float((uu * win).sum() / win.sum()), float((vv * win).sum() / win.sum())


@pytest.mark.parametrize("name", sorted(PROBES))
def test_caliper_distances_and_depths_match_the_phantom(name: str) -> None:
    g = PROBES[name]
    pts = POINTS[name]
    image, cal = BModePipeline(800, 600).process(_points_frame(g, pts), g)
    found = [_centroid(image, cal, p) for p in pts]
    tol = _tolerance(cal)
    for p_mm, c_px in zip(pts, found, strict=True):
        assert abs(depth_mm(cal, c_px) - p_mm[1]) <= tol, (p_mm, depth_mm(cal, c_px))
    calipers = Calipers(cal)
    for i, j in [(0, 1), (1, 2), (0, 3), (2, 3)]:
        calipers.place(found[i])
        m = calipers.place(found[j])
        assert m is not None
        truth = math.dist(pts[i], pts[j])
        assert abs(m.distance_mm - truth) <= tol, (name, i, j, m.distance_mm, truth)
    assert len(calipers.measurements()) == 4


@pytest.mark.parametrize("name", sorted(PROBES))
def test_an_off_centre_cyst_measures_its_true_diameter(name: str) -> None:
    g = PROBES[name]
    (cx, cz), diameter = CYSTS[name]
    x, z = _sample_grid(g)
    # the wall blurred by a ~1 mm beam, as a probe sees it: from -20 dB outside to -60 dB inside,
    # half-way (display level 85 at DR 60) exactly on the true wall
    inside = 1.0 / (1.0 + np.exp((np.hypot(x - cx, z - cz) - diameter / 2) / 0.3))
    lines = (65535 * 10 ** ((-20.0 - 40.0 * inside) / 20)).astype(np.uint16)
    image, cal = BModePipeline(800, 600).process(lines, g)
    u, v = (round(c) for c in cal.to_px(cx, cz))
    assert image[v, u] < 85, "the cyst's centre must be dark"
    dark_row = image[v, :] < 85
    dark_col = image[:, u] < 85
    left, right = _run_edges(dark_row, u)
    top, bottom = _run_edges(dark_col, v)
    tol = _tolerance(cal)
    width = measure(cal, (left, v), (right, v)).distance_mm
    height = measure(cal, (u, top), (u, bottom)).distance_mm
    assert abs(width - diameter) <= tol, (width, diameter)
    assert abs(height - diameter) <= tol, (height, diameter)


def _run_edges(dark: np.ndarray, centre: int) -> tuple[float, float]:
    """Edges (half-way between last dark and first bright pixel) of the dark run through ``centre``."""
    a = centre
    while a > 0 and dark[a - 1]:
        a -= 1
    b = centre
    while b < dark.size - 1 and dark[b + 1]:
        b += 1
    return a - 0.5, b + 0.5


def test_measure_reports_signed_components_in_millimetres() -> None:
    cal = Calibration(0.2, (100.0, 10.0), 200, 200)
    m = measure(cal, (100.0, 10.0), (130.0, 50.0))
    assert m.p1_mm == (0.0, 0.0)
    assert m.dx_mm == pytest.approx(6.0) and m.dz_mm == pytest.approx(8.0)
    assert m.distance_mm == pytest.approx(10.0)
