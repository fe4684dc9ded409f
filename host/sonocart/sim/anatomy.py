"""Painting anatomy: echogenicity, specular interfaces and attenuation on a grid of tissue points.

Scenes (:mod:`sonocart.sim.scenes`) describe tissue in *anatomical* coordinates:
``X`` lateral (mm, screen right positive) and ``D`` depth below the skin (mm).
On a convex probe the skin is pressed into the shape of the face, so ``D`` follows
the face near the surface and relaxes to the Cartesian depth deeper down
(:func:`anatomical_coordinates`). Painters write three maps:

* ``b`` — diffuse backscatter amplitude (muscle ≈ 0.8, fat ≈ 0.45, fluid ≈ 0.01);
* ``spec`` — coherent (specular) amplitude of interfaces: fascia, vessel walls, bone surfaces;
* ``alpha`` — one-way attenuation in dB/cm/MHz (:data:`sonocart.sim.acoustics.ATTENUATION`).

Vessels are not painted: they move (:class:`Vessel`, drawn per frame by the scene engine).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.sim.acoustics import ATTENUATION

#: depth over which the pressed skin's curvature relaxes into Cartesian depth (convex probes).
FACE_RELAX_MM = 25.0


def anatomical_coordinates(geometry: Geometry, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X, D) of Cartesian probe positions: depth below the face near it, below the skin line deeper."""
    if geometry.kind != "convex":
        return x, z
    r = geometry.radius_mm
    below_face = np.hypot(x, z + r) - r
    w = np.exp(-np.maximum(z, 0.0) / FACE_RELAX_MM)
    return x, w * below_face + (1.0 - w) * z


@dataclass(frozen=True)
class Vessel:
    """A vessel seen in cross-section: an ellipse that pulsates (artery) or compresses (vein)."""

    centre: tuple[float, float]  # (X, D) mm
    semi_axes: tuple[float, float]  # (lateral, depth) mm at rest
    kind: str  # "artery" | "vein"


@dataclass
class Maps:
    X: np.ndarray
    D: np.ndarray
    rng: np.random.Generator
    b: np.ndarray = field(init=False)
    spec: np.ndarray = field(init=False)
    alpha: np.ndarray = field(init=False)
    vessels: list[Vessel] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.b = np.full(self.X.shape, 0.8)
        self.spec = np.zeros(self.X.shape)
        self.alpha = np.full(self.X.shape, ATTENUATION["muscle"])

    def fill(self, mask: np.ndarray, b: float, tissue: str) -> None:
        self.b[mask] = b
        self.alpha[mask] = ATTENUATION[tissue]

    def interface(self, surface: np.ndarray, amplitude: float, thickness_mm: float = 0.25) -> None:
        """A bright specular line at depth ``surface`` (an array over the grid: D of the interface)."""
        self.spec += amplitude * np.exp(-0.5 * ((self.D - surface) / thickness_mm) ** 2)

    def bone(self, surface: np.ndarray, amplitude: float = 9.0) -> None:
        """A bone surface: very bright, and bone (shadow) below it."""
        self.interface(surface, amplitude, 0.3)
        self.fill(surface + 0.3 < self.D, 0.4, "bone")


def smooth_noise(X: np.ndarray, D: np.ndarray, rng: np.random.Generator, scale_mm: float) -> np.ndarray:
    """Smooth random field in [-1, 1] with features about ``scale_mm`` (bilinear over a coarse grid)."""
    x0, d0 = float(X.min()) - scale_mm, float(D.min()) - scale_mm
    nx = int((float(X.max()) - x0) / scale_mm) + 3
    nd = int((float(D.max()) - d0) / scale_mm) + 3
    grid = rng.uniform(-1.0, 1.0, (nx, nd))
    gx, gd = (X - x0) / scale_mm, (D - d0) / scale_mm
    ix, idd = np.clip(gx.astype(int), 0, nx - 2), np.clip(gd.astype(int), 0, nd - 2)
    fx, fd = np.clip(gx - ix, 0, 1), np.clip(gd - idd, 0, 1)
    fx, fd = fx * fx * (3 - 2 * fx), fd * fd * (3 - 2 * fd)  # smoothstep: no grid-aligned creases
    out: np.ndarray = (
        grid[ix, idd] * (1 - fx) * (1 - fd)
        + grid[ix + 1, idd] * fx * (1 - fd)
        + grid[ix, idd + 1] * (1 - fx) * fd
        + grid[ix + 1, idd + 1] * fx * fd
    )
    return out


def fat_lobules(m: Maps, region: np.ndarray, lobule_mm: float = 4.0, septum_b: float = 1.3) -> None:
    """Subcutaneous fat: hypoechoic lobules separated by thin irregular echogenic septa (Voronoi edges)."""
    xs, ds = m.X[region], m.D[region]
    if xs.size == 0:
        return
    area = (xs.max() - xs.min() + 2 * lobule_mm) * (ds.max() - ds.min() + lobule_mm)
    n = max(4, int(area / (lobule_mm * lobule_mm * 0.6)))
    cx = m.rng.uniform(xs.min() - lobule_mm, xs.max() + lobule_mm, n)
    cd = m.rng.uniform(ds.min() - 0.5 * lobule_mm, ds.max() + 0.5 * lobule_mm, n)
    # lobules are flattened (wider than deep), so septa run mostly obliquely and short
    dist = np.hypot((xs[:, None] - cx[None, :]) / 1.6, ds[:, None] - cd[None, :])
    two = np.partition(dist, 1, axis=1)[:, :2]
    edge = np.exp(-0.5 * ((two[:, 1] - two[:, 0]) / 0.18) ** 2)
    b = m.b[region]
    m.b[region] = b + (septum_b - b) * edge
    m.alpha[region] = ATTENUATION["fat"]


def perimysium(
    m: Maps,
    region: np.ndarray,
    spacing_mm: float,
    slope: float,
    streak_b: float = 1.7,
    broken: float = 0.15,
) -> None:
    """Muscle: hypoechoic fascicles with irregular, interrupted echogenic perimysial septa.

    The septa follow a wavy fibre direction (``slope`` = tan of the pennation angle) with
    spacing varying about ``spacing_mm``; a smooth random gate breaks them into short
    pieces, as real perimysium is never a set of continuous straight lines."""
    xs, ds = m.X[region], m.D[region]
    if xs.size == 0:
        return
    wobble = smooth_noise(xs, ds, m.rng, 6.0) * 0.9 + smooth_noise(xs, ds, m.rng, 2.5) * 0.35
    phase = (ds - slope * xs + wobble) / spacing_mm
    phase += 0.35 * smooth_noise(xs, ds, m.rng, 9.0)
    ridge = np.exp(-0.5 * ((phase - np.rint(phase)) * spacing_mm / 0.16) ** 2)
    gate = smooth_noise(xs, ds, m.rng, 3.0) > broken - 0.3
    b = m.b[region]
    m.b[region] = b + (streak_b - b) * ridge * gate


def honeycomb_nerve(
    m: Maps, centre: tuple[float, float], semi_axes: tuple[float, float], fascicle_mm: float = 0.7
) -> None:
    """A peripheral nerve in cross-section: round hypoechoic fascicles in hyperechoic epineurium."""
    ex = ((m.X - centre[0]) / semi_axes[0]) ** 2 + ((m.D - centre[1]) / semi_axes[1]) ** 2
    inside = ex < 1.0
    m.fill(inside, 1.35, "nerve")
    m.spec += 1.2 * np.exp(-0.5 * ((np.sqrt(ex) - 1.0) * min(semi_axes) / 0.25) ** 2)
    xs, ds = m.X[inside], m.D[inside]
    if xs.size == 0:
        return
    centres: list[tuple[float, float, float]] = []
    for _ in range(400):  # random non-overlapping fascicles (rejection sampling)
        r = fascicle_mm * m.rng.uniform(0.35, 0.75)
        a, t = m.rng.uniform(0, 1) ** 0.5, m.rng.uniform(0, 2 * math.pi)
        px = centre[0] + a * (semi_axes[0] - r - 0.3) * math.cos(t)
        pd = centre[1] + a * (semi_axes[1] - r - 0.3) * math.sin(t)
        if all(math.hypot(px - qx, pd - qd) > r + qr + 0.22 for qx, qd, qr in centres):
            centres.append((px, pd, r))
    b = m.b[inside]
    for px, pd, r in centres:
        d = np.hypot(xs - px, ds - pd)
        b = np.where(d < r, 0.25, b)
    m.b[inside] = b


def trough(X: np.ndarray, base: float, curvature: float, at: float = 0.0) -> np.ndarray:
    """A gently curved surface ``base + curvature·(X − at)²`` (deeper away from ``at``)."""
    out: np.ndarray = base + curvature * (X - at) ** 2
    return out
