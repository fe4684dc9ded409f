"""Frames of a scene for the simulated probe, computed in the probe's own scan-line space.

Built once per (scene, geometry, line shape, seed):

* anatomy painted in anatomical coordinates (:mod:`sonocart.sim.scenes`), which
  follow the face of a convex probe;
* speckle: complex Gaussian scatterers weighted by backscatter, plus the specular
  interfaces, convolved with the transducer's point-spread function — axial ≈ λ,
  lateral ≈ λ·F# widening with depth (:mod:`sonocart.sim.acoustics`) — so speckle
  grain and blur follow the probe's frequency and the depth;
* attenuation integrated along every beam at the probe's centre frequency, less the
  probe's own front-end TGC: enhancement behind fluid, shadow behind bone, and loss
  of penetration into receiver noise deeper on a high-frequency probe.

Per frame (a few milliseconds): vessels re-drawn in their box (the artery pulsates
at 72 /min, the vein is compressed by the probe every 10 s), breathing shifts the
tissue below the skin along the beams, the needle (:mod:`sonocart.sim.needle_echo`)
advances or withdraws with its comet tail and tip, and one of a few receiver-noise
realisations is added. Deterministic for a seed: a frame depends only on (t, index).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.tables import amplitude_lut
from sonocart.sim.acoustics import ATTENUATION, Transducer, sigma, transducer_for
from sonocart.sim.anatomy import Maps, Vessel, anatomical_coordinates
from sonocart.sim.needle import NeedlePath
from sonocart.sim.needle_echo import NeedleEcho
from sonocart.sim.scenes import DEFAULT_SCENE, scene

FORMATS = ("u8", "u16", "iq")
#: envelope of unit backscatter relative to full scale (≈ −28 dB: mid-grey at 60 dB DR).
TISSUE_LEVEL = 0.04
NOISE_REALISATIONS = 4
#: receiver noise relative to unit tissue backscatter at the face (−70 dB), amplified by the probe's TGC.
NOISE_LEVEL = 0.0003
HEART_RATE_HZ = 1.2
BREATHING_PERIOD_S = 4.0
COMPRESSION_PERIOD_S = 10.0
SKIN_MM = 2.0
LATERAL_NODES = 6
#: a needle aimed into bone stops this far along its path before the first bone sample (on the surface).
BONE_STANDOFF_MM = 0.3


def default_needle(
    geometry: Geometry, angle_deg: float = 30.0, target_mm: tuple[float, float] | None = None
) -> NeedlePath:
    """An in-plane needle at ``angle_deg`` whose tip reaches ``target_mm`` (x, z) when fully advanced.

    Without a target: about mid-depth from near the left end of the footprint (the right end
    for angles over 90°). The shaft starts where its path, traced back from the tip, leaves the
    image or comes within 2 mm of the face; it advances between 45 % and 100 % of that length.
    """
    dx, dz = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    depth = geometry.depth_end_mm - geometry.depth_start_mm
    if target_mm is None:
        x0, _x1, _z0, _z1 = geometry.extent_mm()
        entry = (x0 * 0.6, geometry.depth_start_mm + 0.08 * depth)
        if geometry.kind == "phased":  # a narrow near field: enter below the apex
            entry = (-0.08 * depth, 0.12 * depth)
        if angle_deg > 90.0:  # from the right: mirror the entry
            entry = (-entry[0], entry[1])
        target_depth = min(0.5 * depth, 26.0)  # about mid-depth, above deep bone
        reach = (target_depth - entry[1]) / max(math.sin(math.radians(angle_deg)), 0.25)
        while reach > 5.0 and not _well_inside(geometry, entry[0] + reach * dx, entry[1] + reach * dz):
            reach -= 0.5  # keep the tip in view: a test can then tell where it is
        return NeedlePath(entry, angle_deg, min_insertion_mm=0.45 * reach, max_insertion_mm=reach)
    tx, tz = target_mm
    near = geometry.depth_start_mm + 2.0 + (0.1 * depth if geometry.kind == "phased" else 0.0)
    reach = 0.0
    while reach < 4 * depth and tz - (reach + 0.5) * dz >= near:
        if not _well_inside(geometry, tx - (reach + 0.5) * dx, tz - (reach + 0.5) * dz, margin=1.0):
            break
        reach += 0.5
    if reach < 10.0:
        raise ValueError(f"a {angle_deg}° needle cannot reach {target_mm} in this view")
    entry = (tx - reach * dx, tz - reach * dz)
    return NeedlePath(entry, angle_deg, min_insertion_mm=0.45 * reach, max_insertion_mm=reach)


def stopped_at_bone(path: NeedlePath, geometry: Geometry, alpha: np.ndarray) -> NeedlePath:
    """``path`` advanced no further than the first bone on its way (a needle cannot pierce cortex).

    ``alpha`` is the scene's attenuation on the line grid (``[n_lines, n_samples]``); bone is
    where it is :data:`~sonocart.sim.acoustics.ATTENUATION` ``["bone"]``. The tip stops
    :data:`BONE_STANDOFF_MM` short of the first bone sample on the path (on the bright surface);
    parts of the path outside the imaged grid are taken as soft tissue.
    """
    n_lines, n_samples = alpha.shape
    along = np.arange(0.0, path.max_insertion_mm + 0.05, 0.05)
    dx, dz = path.direction
    li, si = geometry.to_line_sample(
        path.entry_mm[0] + along * dx, path.entry_mm[1] + along * dz, n_lines, n_samples
    )
    li, si = np.rint(li).astype(np.intp), np.rint(si).astype(np.intp)
    inside = (li >= 0) & (li < n_lines) & (si >= 0) & (si < n_samples)
    bone = np.zeros(along.size, dtype=bool)
    bone[inside] = alpha[li[inside], si[inside]] >= ATTENUATION["bone"]
    hit = np.flatnonzero(bone)
    if hit.size == 0:
        return path
    reach = max(float(along[hit[0]]) - BONE_STANDOFF_MM, 0.0)
    if reach >= path.max_insertion_mm:
        return path
    return replace(path, min_insertion_mm=min(path.min_insertion_mm, reach), max_insertion_mm=reach)


def _well_inside(geometry: Geometry, x: float, z: float, margin: float = 3.0) -> bool:
    n = 256
    li, si = geometry.to_line_sample(np.array([x - margin, x + margin]), np.array([z, z]), n, n)
    return bool(((li >= 0) & (li <= n - 1) & (si >= 0) & (si <= n - 1)).all())


def _blur(field: np.ndarray, geometry: Geometry, transducer: Transducer, depth: np.ndarray) -> np.ndarray:
    """Convolve with the PSF: unit-energy Gaussians, axial by FFT, lateral widening with depth.

    ``depth`` is the depth of each sample (mm below the face); the lateral kernel is
    evaluated at a few depths and blended linearly in between."""
    n_lines, n = field.shape
    dz = float(depth[1] - depth[0])
    s_ax = max(sigma(transducer.axial_fwhm_mm()) / dz, 0.3)
    k = np.arange(n)
    k = np.minimum(k, n - k)
    axial = np.exp(-0.5 * (k / s_ax) ** 2)
    axial /= math.sqrt(float((axial**2).sum()))
    out = np.fft.ifft(np.fft.fft(field, axis=1) * np.fft.fft(axial)[None, :], axis=1)
    nodes = np.linspace(float(depth.min()), float(depth.max()), LATERAL_NODES)
    blurred = []
    for d in nodes:
        if geometry.kind == "linear":
            spacing = geometry.width_mm / (n_lines - 1)
        else:
            radius = geometry.radius_mm if geometry.kind == "convex" else 0.0
            spacing = max(radius + d, 1.0) * math.radians(geometry.fov_deg) / (n_lines - 1)
        s_lat = min(max(sigma(transducer.lateral_fwhm_mm(max(d, 0.5))) / spacing, 0.35), n_lines / 8)
        taps = np.arange(-math.ceil(3 * s_lat), math.ceil(3 * s_lat) + 1)
        w = np.exp(-0.5 * (taps / s_lat) ** 2)
        w /= math.sqrt(float((w**2).sum()))
        pad = len(taps)
        padded = np.pad(out, ((pad, pad), (0, 0)), mode="reflect")
        acc = np.zeros_like(out)
        for tap, wt in zip(taps, w, strict=True):
            acc += wt * padded[pad + tap : pad + tap + n_lines]
        blurred.append(acc)
    pos = np.clip(np.interp(depth, nodes, np.arange(LATERAL_NODES)), 0, LATERAL_NODES - 1)
    lo = np.minimum(pos.astype(int), LATERAL_NODES - 2)
    frac = (pos - lo)[None, :]
    stack = np.stack(blurred)
    cols = np.arange(n)
    result: np.ndarray = stack[lo, :, cols].T * (1 - frac) + stack[lo + 1, :, cols].T * frac
    return result


class _VesselBox:
    """The moving vessels of a scene, redrawn each frame inside their bounding box."""

    def __init__(self, vessels: list[Vessel], X: np.ndarray, D: np.ndarray, edge_mm: float) -> None:
        self.vessels = vessels
        near = np.zeros(X.shape, dtype=bool)
        for v in vessels:
            (cx, cd), (ax, ad) = v.centre, v.semi_axes
            near |= (np.abs(X - cx) < ax * 1.2 + 2.0) & (np.abs(D - cd) < ad * 1.2 + 2.0)
        lines, samples = np.nonzero(near)
        self.empty = lines.size == 0
        if self.empty:
            return
        self.box = (
            slice(int(lines.min()), int(lines.max()) + 1),
            slice(int(samples.min()), int(samples.max()) + 1),
        )
        self.X = X[self.box].astype(np.float32)
        self.D = D[self.box].astype(np.float32)
        self.edge = max(edge_mm, 0.08)

    def prepare(self, tissue: np.ndarray, unit: np.ndarray) -> None:
        """``tissue``: the box's static field without vessels; ``unit``: unit speckle × gain there."""
        self.tissue = tissue[self.box].copy()
        self.unit = unit[self.box].copy()

    def draw(self, out: np.ndarray, t_s: float) -> None:
        lumen = np.zeros(self.X.shape, np.float32)
        blood = np.zeros(self.X.shape, np.float32)
        wall = np.zeros(self.X.shape, np.float32)
        pulse_phase = (t_s * HEART_RATE_HZ) % 1.0
        pulse = (pulse_phase / 0.12) * math.exp(1.0 - pulse_phase / 0.12)
        c = (t_s % COMPRESSION_PERIOD_S) / COMPRESSION_PERIOD_S  # pressing between 55 % and 85 % of it
        press = 0.5 - 0.5 * math.cos(2 * math.pi * min(max((c - 0.55) / 0.3, 0.0), 1.0))
        for v in self.vessels:
            (cx, cd), (ax, ad) = v.centre, v.semi_axes
            if v.kind == "artery":
                k = 1.0 + 0.08 * pulse
                ax, ad, echo, wall_amp, wall_mm = ax * k, ad * k, 0.015, 2.2, 0.35
            else:
                flat = 1.0 - 0.85 * press
                cd, ad = cd + ad * (1.0 - flat), ad * flat  # collapses from above, its floor stays
                echo, wall_amp, wall_mm = 0.05, 1.1, 0.22
            rho = np.sqrt(((self.X - cx) / ax) ** 2 + ((self.D - cd) / ad) ** 2)
            dist = (rho - 1.0) * min(ax, ad)
            inside = 1.0 / (1.0 + np.exp(np.clip(dist / self.edge, -30, 30)))
            lumen = np.maximum(lumen, inside)
            blood += echo * inside
            wall += wall_amp * np.exp(-0.5 * ((dist - wall_mm) / wall_mm) ** 2)
        out[self.box] = self.tissue * (1.0 - lumen) + self.unit * (blood + wall)


class TissueScene:
    """Frames of one scene for one geometry and line shape."""

    def __init__(
        self,
        geometry: Geometry,
        n_lines: int,
        n_samples: int,
        seed: int = 1,
        needle: NeedlePath | None = None,
        with_needle: bool = True,
        scene_name: str = DEFAULT_SCENE,
    ) -> None:
        self.geometry = geometry
        self.shape = (n_lines, n_samples)
        self.scene = scene(scene_name)
        self.transducer = tr = transducer_for(geometry)
        rng = np.random.default_rng(seed)
        dz = (geometry.depth_end_mm - geometry.depth_start_mm) / (n_samples - 1)
        self._pad = pad = math.ceil(self.scene.breathing_mm / 2 / dz) + 1 if self.scene.breathing_mm else 0
        li, si = np.meshgrid(np.arange(n_lines), np.arange(-pad, n_samples + pad), indexing="ij")
        x, z = geometry.to_xz(li, si, n_lines, n_samples)
        self.x, self.z = x[:, pad : pad + n_samples], z[:, pad : pad + n_samples]
        X, D = anatomical_coordinates(geometry, x, z)
        maps = Maps(X, D, rng)
        self.scene.paint(maps)
        depth = geometry.depth_start_mm + np.arange(-pad, n_samples + pad) * dz
        shape = X.shape
        scatter = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(2)
        texture = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(8)
        # interfaces are coherent but rough: a little speckle of their own
        tissue = _blur(scatter * maps.b + maps.spec * (1.0 + texture), geometry, tr, depth)
        unit = _blur(scatter, geometry, tr, depth)
        loss_db = np.cumsum(np.where(depth >= 0, tr.round_trip_db_per_mm(1.0) * maps.alpha, 0.0), axis=1) * dz
        comp_db = np.array([tr.compensation_db(max(d, 0.0)) for d in depth])
        gain = TISSUE_LEVEL * 10.0 ** ((comp_db[None, :] - loss_db) / 20.0)
        self._gain = gain[:, pad : pad + n_samples]
        self._work = (tissue * gain).astype(np.complex64)
        self._vessels = _VesselBox(maps.vessels, X, D, sigma(tr.axial_fwhm_mm()))
        if not self._vessels.empty:
            self._vessels.prepare(self._work, (unit * gain).astype(np.complex64))
        noise_gain = (NOISE_LEVEL * TISSUE_LEVEL * 10.0 ** (comp_db[pad : pad + n_samples] / 20.0))[None, :]
        self._noise = [
            ((rng.standard_normal(self.shape) + 1j * rng.standard_normal(self.shape)) * noise_gain).astype(
                np.complex64
            )
            for _ in range(NOISE_REALISATIONS)
        ]
        self._skin = min(n_samples, max(1, round(SKIN_MM / dz)))
        self._dz = dz
        if needle is None and with_needle:
            needle = default_needle(geometry, 30.0, self.scene.needle_target_mm)
        if needle is not None:
            needle = stopped_at_bone(needle, geometry, maps.alpha[:, pad : pad + n_samples])
        #: the needle as simulated (its ground truth): a path aimed into bone stops at the bone's surface.
        self.needle = needle if with_needle else None
        self._needle = (
            None if self.needle is None else NeedleEcho(self.needle, geometry, n_lines, n_samples, tr)
        )
        if self._needle is not None:
            self._needle_gain = self._gain.reshape(-1)[self._needle.idx]
        self._field = np.zeros(self.shape, dtype=np.complex64)
        self._env = np.zeros(self.shape, dtype=np.float32)
        self._u16 = np.zeros(self.shape, dtype=np.uint16)

    # -- motion ---------------------------------------------------------------------------------------
    def breathing_shift(self, t_s: float) -> int:
        """Samples the tissue below the skin is displaced along the beams at ``t_s``."""
        if not self._pad:
            return 0
        amplitude = self.scene.breathing_mm / 2 / self._dz
        return round(amplitude * math.sin(2 * math.pi * t_s / BREATHING_PERIOD_S))

    # -- frames ---------------------------------------------------------------------------------------
    def needle_echo(self, t_s: float) -> np.ndarray:
        """The needle's echo amplitude (unit tissue backscatter = 1) on the line grid, no attenuation."""
        echo = np.zeros(self.shape)
        if self._needle is not None and self.needle is not None:
            echo.reshape(-1)[self._needle.idx] = self._needle.echo(self.needle.insertion_mm(t_s))
        return echo

    def field(self, t_s: float, index: int) -> np.ndarray:
        """Complex baseband (IQ) lines at ``t_s``, probe TGC applied (a reused buffer)."""
        if not self._vessels.empty:
            self._vessels.draw(self._work, t_s)
        n, pad, f = self.shape[1], self._pad, self._field
        shift = self.breathing_shift(t_s)
        np.copyto(f, self._work[:, pad + shift : pad + shift + n])
        if shift:
            np.copyto(
                f[:, : self._skin], self._work[:, pad : pad + self._skin]
            )  # the skin stays on the probe
        if self._needle is not None and self.needle is not None:
            flat = f.reshape(-1)
            flat[self._needle.idx] += self._needle.echo(self.needle.insertion_mm(t_s)) * self._needle_gain
        np.add(f, self._noise[index % NOISE_REALISATIONS], out=f)
        return f

    def envelope(self, t_s: float, index: int) -> np.ndarray:
        """uint16 envelope (65535 = full scale); the returned buffer is reused."""
        env = self._env
        np.absolute(self.field(t_s, index), out=env)
        np.multiply(env, np.float32(65535.0), out=env)
        np.minimum(env, np.float32(65535.0), out=env)
        np.copyto(self._u16, env, casting="unsafe")
        return self._u16

    def lines(self, t_s: float, index: int, fmt: str = "u16") -> np.ndarray:
        """Scan lines in a link sample format: ``u8`` (log-compressed at 60 dB), ``u16`` or ``iq``."""
        if fmt == "u16":
            return self.envelope(t_s, index)
        if fmt == "u8":
            u8: np.ndarray = amplitude_lut(60.0, "linear")[self.envelope(t_s, index)]
            return u8
        if fmt == "iq":
            return self.field(t_s, index).copy()
        raise ValueError(f"sample format must be one of {FORMATS}, got {fmt!r}")
