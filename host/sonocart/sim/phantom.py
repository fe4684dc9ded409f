"""A small tissue phantom for the simulated probe: speckle, layers, a nerve, bone, a moving needle.

Echo amplitudes are built in scan-line space (the probe's own sampling), so the
host's scan conversion has real work to do. Deterministic for a seed.
"""

from __future__ import annotations

import math

import numpy as np

from sonocart.imaging.geometry import Geometry

_SPECKLE_REALISATIONS = 8


class Phantom:
    """Envelope frames (uint16, 65535 = full scale) for one geometry and line shape."""

    def __init__(self, geometry: Geometry, n_lines: int, n_samples: int, seed: int = 1) -> None:
        self.geometry = geometry
        self.shape = (n_lines, n_samples)
        rng = np.random.default_rng(seed)
        li, si = np.meshgrid(np.arange(n_lines), np.arange(n_samples), indexing="ij")
        self._x, self._z = geometry.to_xz(li, si, n_lines, n_samples)
        self._reflectivity = self._tissue(self._x, self._z)
        kernel = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
        self._speckle = []
        for _ in range(_SPECKLE_REALISATIONS):
            iq = rng.standard_normal(self.shape) + 1j * rng.standard_normal(self.shape)
            iq = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="same"), 1, iq)
            env = np.abs(iq)
            self._speckle.append((env / env.mean()).astype(np.float32))
        attenuation_db = -0.5 * 2 * (self._z - geometry.depth_start_mm) / 10.0  # ~0.5 dB/cm/MHz one-way x2
        self._gain = (10 ** (attenuation_db / 20) * 0.08).astype(np.float32)
        self._out = np.zeros(self.shape, dtype=np.uint16)

    @staticmethod
    def _tissue(x: np.ndarray, z: np.ndarray) -> np.ndarray:
        r = np.full(x.shape, 0.35)
        r[z < 2.0] = 1.6  # skin
        r[(z >= 2.0) & (z < 9.0)] = 0.25  # subcutaneous fat
        r[np.abs(z - 10.0) < 0.6] = 2.5  # fascia
        muscle = z > 10.6
        r[muscle] = 0.45 + 0.25 * (np.sin(z[muscle] * 2.2 + x[muscle] * 0.15) > 0.6)
        nerve = (x - 6.0) ** 2 + (z - 24.0) ** 2 < 4.5**2
        r[nerve] = 0.12
        r[(np.abs(np.hypot(x - 6.0, z - 24.0) - 4.6) < 0.5)] = 1.8  # epineurium rim
        enhancement = (np.abs(x - 6.0) < 4.0) & (z > 28.5) & (z < 40.0)
        r[enhancement] *= 1.6  # posterior enhancement
        bone_z = 42.0 + 0.004 * x**2
        r[np.abs(z - bone_z) < 0.8] = 6.0
        r[z > bone_z + 0.8] *= 0.05  # acoustic shadow
        return r.astype(np.float32)

    def frame(self, t_s: float, index: int) -> np.ndarray:
        """The envelope at time ``t_s`` (the needle advances and withdraws on an 8 s cycle)."""
        speckle = self._speckle[index % _SPECKLE_REALISATIONS]
        env = self._reflectivity * speckle * self._gain
        env = env + self._needle(t_s)
        np.clip(env, 0.0, 1.0, out=env)
        np.multiply(env, 65535.0, out=env)
        np.copyto(self._out, env, casting="unsafe")
        return self._out

    def _needle(self, t_s: float) -> np.ndarray:
        angle = math.radians(30.0)
        entry = np.array([-18.0, 0.0])
        direction = np.array([math.cos(angle), math.sin(angle)])
        length = 10.0 + 22.0 * (0.5 - 0.5 * math.cos(2 * math.pi * t_s / 8.0))
        px, pz = self._x - entry[0], self._z - entry[1]
        along = px * direction[0] + pz * direction[1]
        across = np.abs(-px * direction[1] + pz * direction[0])
        shaft = (along > 0) & (along < length) & (across < 0.45)
        echo = np.zeros(self.shape, dtype=np.float32)
        echo[shaft] = 0.9
        for k in range(1, 4):  # reverberation artefacts below the shaft
            rev = (
                (along > 0)
                & (along < length)
                & (np.abs(across - 1.6 * k) < 0.25)
                & (pz * direction[0] - px * direction[1] > 0)
            )
            echo[rev] += 0.35 / k
        return echo
