"""A realistic tissue scene for the simulated probe, computed in the probe's own scan-line space.

Speckle: complex Gaussian scatterers, weighted by each tissue's backscatter,
convolved with a separable Gaussian point-spread function, so the envelope is
Rayleigh-distributed (Rician where a specular reflector adds a coherent part).
Anatomy (millimetres, z down from the transducer): bright skin, hypoechoic fat
with septa, a bright fascial line, striated muscle, an anechoic vessel with a
bright wall and a hypoechoic nerve with fascicles, and a bone surface. Round-trip
attenuation is integrated along every beam, which gives posterior enhancement
under fluid and an acoustic shadow under bone by physics rather than by paint.
The needle (:mod:`sonocart.sim.needle`) is a specular line with reverberation
below it. Deterministic for a seed; the tissue is static, electronic noise and
the needle change per frame.
"""

from __future__ import annotations

import math

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.tables import amplitude_lut
from sonocart.sim.needle import NeedlePath

FORMATS = ("u8", "u16", "iq")
#: envelope of unit backscatter relative to full scale (≈ −28 dB: mid-grey at 60 dB DR).
TISSUE_LEVEL = 0.04
NOISE_REALISATIONS = 4
REVERBERATIONS = 4
#: receiver noise relative to unit tissue backscatter (−46 dB): it fills shadows, it is not attenuated.
NOISE_LEVEL = 0.005
AXIAL_PSF_MM = 0.25
LATERAL_PSF_MM = 0.5


def default_needle(geometry: Geometry, angle_deg: float = 30.0) -> NeedlePath:
    """An in-plane needle entering near the left end of the footprint, reaching about mid-depth."""
    x0, _x1, _z0, _z1 = geometry.extent_mm()
    depth = geometry.depth_end_mm - geometry.depth_start_mm
    entry = (x0 * 0.6, geometry.depth_start_mm + 0.08 * depth)
    if geometry.kind == "phased":  # a narrow near field: enter below the apex
        entry = (-0.08 * depth, 0.12 * depth)
    if angle_deg > 90.0:  # from the right: mirror the entry
        entry = (-entry[0], entry[1])
    target_depth = min(0.5 * depth, 26.0)  # about the nerve, above the bone
    reach = (target_depth - entry[1]) / max(math.sin(math.radians(angle_deg)), 0.25)
    dx, dz = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    while reach > 5.0 and not _well_inside(geometry, entry[0] + reach * dx, entry[1] + reach * dz):
        reach -= 0.5  # keep the tip in view: a test can then tell where it is
    return NeedlePath(entry, angle_deg, min_insertion_mm=0.45 * reach, max_insertion_mm=reach)


def _well_inside(geometry: Geometry, x: float, z: float, margin: float = 3.0) -> bool:
    n = 256
    li, si = geometry.to_line_sample(np.array([x - margin, x + margin]), np.array([z, z]), n, n)
    return bool(((li >= 0) & (li <= n - 1) & (si >= 0) & (si <= n - 1)).all())


class TissueScene:
    """Frames of the scene for one geometry and line shape."""

    def __init__(
        self,
        geometry: Geometry,
        n_lines: int,
        n_samples: int,
        seed: int = 1,
        needle: NeedlePath | None = None,
        with_needle: bool = True,
    ) -> None:
        self.geometry = geometry
        self.shape = (n_lines, n_samples)
        rng = np.random.default_rng(seed)
        li, si = np.meshgrid(np.arange(n_lines), np.arange(n_samples), indexing="ij")
        x, z = geometry.to_xz(li, si, n_lines, n_samples)
        self.x, self.z = x, z
        self.needle = (needle or default_needle(geometry)) if with_needle else None
        backscatter, specular, atten_db_per_mm = self._anatomy(x, z)
        scatterers = (rng.standard_normal(self.shape) + 1j * rng.standard_normal(self.shape)) / math.sqrt(2)
        speckle = self._psf(scatterers * backscatter)
        dz = (geometry.depth_end_mm - geometry.depth_start_mm) / (n_samples - 1)
        round_trip_db = np.cumsum(atten_db_per_mm, axis=1) * dz
        self._attenuation = 10.0 ** (-round_trip_db / 20.0)
        tissue = (speckle + specular) * TISSUE_LEVEL * self._attenuation
        # the static tissue plus receiver noise (not attenuated), a few realisations, made once:
        # a frame then only adds the needle where it can be (a thin region around its path)
        self._static = [
            (
                tissue
                + (rng.standard_normal(self.shape) + 1j * rng.standard_normal(self.shape))
                * (NOISE_LEVEL * TISSUE_LEVEL)
            ).astype(np.complex64)
            for _ in range(NOISE_REALISATIONS)
        ]
        self._prepare_needle()
        self._field = np.zeros(self.shape, dtype=np.complex64)
        self._env = np.zeros(self.shape, dtype=np.float32)
        self._u16 = np.zeros(self.shape, dtype=np.uint16)

    # -- anatomy -------------------------------------------------------------------------------------
    @staticmethod
    def _anatomy(x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(backscatter amplitude, coherent specular amplitude, attenuation dB/mm round trip)."""
        b = np.full(x.shape, 0.8)
        att = np.full(x.shape, 0.5)  # round trip, dB/mm: ≈ 0.5 dB/cm/MHz one way at 5 MHz
        b[z < 1.5] = 1.6  # skin
        fat = (z >= 1.5) & (z < 8.0)
        b[fat] = 0.35
        att[fat] = 0.35
        septa = fat & (np.abs(np.sin(z * 1.3 + 0.25 * x)) < 0.08)
        b[septa] = 1.1
        muscle = z >= 8.8
        b[muscle] = 0.7 * (1.0 + 0.6 * (np.sin(2.6 * z[muscle] - 0.35 * x[muscle]) > 0.55))
        vessel_c, vessel_r = (-9.0, 19.0), 3.2
        nerve_c, nerve_r = (7.0, 21.0), 3.8
        dv = np.hypot(x - vessel_c[0], z - vessel_c[1])
        dn = np.hypot(x - nerve_c[0], z - nerve_c[1])
        b[dv < vessel_r] = 0.02
        att[dv < vessel_r] = 0.02  # blood barely attenuates: posterior enhancement below
        nerve = dn < nerve_r
        fascicles = nerve & (np.sin(2.2 * (x - nerve_c[0])) * np.sin(2.2 * (z - nerve_c[1])) > 0.3)
        b[nerve] = 0.3
        b[fascicles] = 0.9
        bone_z = 34.0 + 0.006 * x**2
        under_bone = z > bone_z
        att[under_bone] = 8.0  # acoustic shadow
        specular = (
            2.2 * np.exp(-0.5 * (z / 0.4) ** 2)  # skin surface
            + 2.5 * np.exp(-0.5 * ((z - 8.4) / 0.25) ** 2)  # fascia
            + 1.6 * np.exp(-0.5 * ((dv - vessel_r) / 0.2) ** 2)  # vessel wall
            + 1.2 * np.exp(-0.5 * ((dn - nerve_r) / 0.25) ** 2)  # epineurium
            + 7.0 * np.exp(-0.5 * ((z - bone_z) / 0.3) ** 2)  # bone surface
        )
        return b, specular, att

    def _psf(self, field: np.ndarray) -> np.ndarray:
        """Convolve with a unit-energy separable Gaussian PSF (axial by FFT, lateral by a few taps)."""
        g = self.geometry
        n_lines, n_samples = self.shape
        dz = (g.depth_end_mm - g.depth_start_mm) / (n_samples - 1)
        sigma_s = AXIAL_PSF_MM / dz
        k = np.arange(n_samples)
        k = np.minimum(k, n_samples - k)
        axial = np.exp(-0.5 * (k / sigma_s) ** 2)
        out = np.fft.ifft(np.fft.fft(field, axis=1) * np.fft.fft(axial)[None, :], axis=1)
        mid_depth = (g.depth_start_mm + g.depth_end_mm) / 2
        if g.kind == "linear":
            spacing = g.width_mm / (n_lines - 1)
        else:
            radius = g.radius_mm if g.kind == "convex" else 0.0
            spacing = (radius + mid_depth) * math.radians(g.fov_deg) / (n_lines - 1)
        sigma_l = max(0.6, LATERAL_PSF_MM / spacing)
        taps = np.arange(-int(3 * sigma_l) - 1, int(3 * sigma_l) + 2)
        lateral = np.exp(-0.5 * (taps / sigma_l) ** 2)
        blurred = np.zeros_like(out)
        padded = np.pad(out, ((len(taps), len(taps)), (0, 0)), mode="reflect")
        for tap, w in zip(taps, lateral, strict=True):
            blurred += w * padded[len(taps) + tap : len(taps) + tap + n_lines]
        energy = math.sqrt(float((axial**2).sum() * (lateral**2).sum()))
        return blurred / energy

    # -- frames --------------------------------------------------------------------------------------
    def _prepare_needle(self) -> None:
        """Per-sample needle geometry along the whole path (static); a frame only varies the length."""
        self._needle_idx = np.zeros(0, dtype=np.intp)
        if self.needle is None:
            return
        n = self.needle
        dx, dz = n.direction
        strength = 0.05 + 0.55 * math.cos(math.radians(n.angle_deg)) ** 2
        x, z = self.x.ravel(), self.z.ravel()
        copies = []
        near = np.zeros(x.size, dtype=bool)
        for k in range(REVERBERATIONS + 1):  # k = 0 the shaft, then copies every 1.2 mm deeper, fading
            px, pz = x - n.entry_mm[0], z - (n.entry_mm[1] + 1.2 * k)
            along, across = px * dx + pz * dz, px * dz - pz * dx
            copies.append((along, across, (0.45**k) * strength))
            near |= (along > -1.0) & (along < n.max_insertion_mm + 1.0) & (np.abs(across) < 1.5)
        idx = np.flatnonzero(near)
        self._needle_idx = idx
        self._needle_copies = [
            (
                along[idx],
                amp * np.exp(-0.5 * (across[idx] / 0.28) ** 2) / (1.0 + np.exp(-along[idx] / 0.15)),
            )
            for along, across, amp in copies
        ]
        self._needle_att = self._attenuation.ravel()[idx] * TISSUE_LEVEL

    def _needle_subset(self, t_s: float) -> np.ndarray:
        """Needle echo amplitude at the samples near its path (relative to unit tissue backscatter)."""
        assert self.needle is not None
        length = self.needle.insertion_mm(t_s)
        echo = np.zeros(self._needle_idx.size)
        for along, base in self._needle_copies:
            echo += base / (1.0 + np.exp((along - length) / 0.15))
        return echo / TISSUE_LEVEL

    def needle_echo(self, t_s: float) -> np.ndarray:
        """Needle shaft echo (specular, brighter when flatter) with reverberation below, as amplitude."""
        echo = np.zeros(self.shape)
        if self.needle is not None:
            echo.ravel()[self._needle_idx] = self._needle_subset(t_s)
        return echo

    def field(self, t_s: float, index: int) -> np.ndarray:
        """Complex baseband (IQ) lines at ``t_s``, attenuation applied (a reused buffer)."""
        np.copyto(self._field, self._static[index % NOISE_REALISATIONS])
        if self.needle is not None:
            flat = self._field.reshape(-1)
            flat[self._needle_idx] += self._needle_subset(t_s) * self._needle_att
        return self._field

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
