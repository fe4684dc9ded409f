"""The echo of an in-plane needle, rendered in the probe's own line space.

Each beam meets the straight shaft at most once (solved per line from the beam's
origin and direction). There it returns:

* a specular echo from the near and the far wall (a bright band as thick as the
  needle's chord on that beam) whose strength falls with the incidence angle β between the beam
  and the shaft's normal (a steep needle on a linear probe is faint), spread along
  the beam by the axial pulse and by the beam's width crossing an inclined shaft
  (``σ = √(σ_axial² + (σ_lateral · tan β)²)``);
* a **comet tail**: reverberation inside the steel, deeper on the *same beam*, fading
  exponentially with a ripple at the round trip across the shaft's bore;
* at the tip a brighter bevel echo, so the tip is visible where the shaft ends.

Per frame only the insertion length changes: a line's echo is switched on with a
soft edge where its crossing is shallower along the shaft than the tip.
"""

from __future__ import annotations

import math

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.sim.acoustics import Transducer, sigma
from sonocart.sim.needle import NeedlePath

#: peak shaft echo relative to unit tissue backscatter: a diffuse floor plus the specular lobe.
DIFFUSE = 6.0  # an echogenic (textured) needle returns some echo at any angle
SPECULAR = 24.0
SPECULAR_WIDTH_DEG = 30.0
#: outer diameter (22 G): the far wall echoes one chord d / cos β deeper, a little weaker.
DIAMETER_MM = 0.7
FAR_WALL = 0.6
BORE = 0.45
#: comet tail: strength relative to the shaft, decay length, ripple period (≈ a 22 G bore round trip).
TAIL = 0.3
TAIL_DECAY_MM = 1.0
TAIL_RIPPLE_MM = 0.5
TAIL_LENGTH_MM = 4.5
TIP_BOOST = 0.9
TIP_WIDTH_MM = 0.5
EDGE_MM = 0.2


class NeedleEcho:
    """Precomputed per-line crossings of one needle path; ``echo(length)`` gives the frame's values."""

    def __init__(
        self, path: NeedlePath, geometry: Geometry, n_lines: int, n_samples: int, transducer: Transducer
    ) -> None:
        self.path = path
        dz = (geometry.depth_end_mm - geometry.depth_start_mm) / (n_samples - 1)
        ux, uz = path.direction
        ex, ez = path.entry_mm
        lines = np.arange(n_lines, dtype=np.float64)
        if geometry.kind == "linear":
            ox = -geometry.width_mm / 2 + lines * geometry.width_mm / (n_lines - 1)
            oz = np.zeros(n_lines)
            dx, dzb = np.zeros(n_lines), np.ones(n_lines)
            offset = 0.0
        else:
            radius = geometry.radius_mm if geometry.kind == "convex" else 0.0
            theta = geometry.line_angles_rad(n_lines)
            ox, oz = np.zeros(n_lines), np.full(n_lines, -radius)
            dx, dzb = np.sin(theta), np.cos(theta)
            offset = radius
        # origin + rho·d = entry + t·u  →  [d, −u]·(rho, t) = entry − origin
        det = -dx * uz + ux * dzb
        ok = np.abs(det) > 1e-6
        det = np.where(ok, det, 1.0)
        bx, bz = ex - ox, ez - oz
        rho = (bx * -uz + ux * bz) / det
        t = (dx * bz - dzb * bx) / det
        depth = rho - offset
        sample = (depth - geometry.depth_start_mm) / dz
        ok &= (t > -1.0) & (t < path.max_insertion_mm + 1.0) & (sample > 0) & (sample < n_samples - 1)
        cos_beta = np.abs(dx * -uz + dzb * ux)  # beam · shaft normal
        beta = np.degrees(np.arccos(np.clip(cos_beta, 0.0, 1.0)))
        strength = DIFFUSE + SPECULAR * np.exp(-((beta / SPECULAR_WIDTH_DEG) ** 2))
        sig_axial = sigma(transducer.axial_fwhm_mm())
        sig_lateral = np.array([sigma(transducer.lateral_fwhm_mm(max(d, 0.5))) for d in depth])
        spread = np.sqrt(sig_axial**2 + (sig_lateral * np.tan(np.radians(np.minimum(beta, 85.0)))) ** 2)
        peak = strength * np.sqrt(sig_axial / spread)  # a wider echo of the same energy is dimmer
        before = math.ceil(4 * float(spread.max(initial=sig_axial)) / dz)
        after = math.ceil((TAIL_LENGTH_MM + DIAMETER_MM / 0.2) / dz)
        idx, shaft, tail, line_of = [], [], [], []
        for line in np.flatnonzero(ok):
            s = np.arange(
                max(0, math.floor(sample[line]) - before),
                min(n_samples, math.floor(sample[line]) + after + 1),
            )
            along = (s - sample[line]) * dz  # mm deeper than the crossing, on this beam
            chord = DIAMETER_MM / max(cos_beta[line], 0.2)
            edge = np.maximum(spread[line], 0.12)
            walls = np.exp(-0.5 * (along / spread[line]) ** 2)
            walls += FAR_WALL * np.exp(-0.5 * ((along - chord) / spread[line]) ** 2)
            # between the walls the steel rings: the shaft reads as one band as thick as its chord
            bore = 1.0 / (1.0 + np.exp(-along / edge * 3)) / (1.0 + np.exp((along - chord) / edge * 3))
            walls = np.maximum(walls, BORE * bore)
            shaft.append(peak[line] * walls)
            deeper = np.clip(along - chord - 0.5 * TAIL_RIPPLE_MM, 0.0, None)
            onset = 1.0 - np.exp(-((deeper / 0.3) ** 2))
            ripple = 0.85 + 0.15 * np.cos(2 * np.pi * deeper / TAIL_RIPPLE_MM)
            tail.append(TAIL * peak[line] * onset * ripple * np.exp(-deeper / TAIL_DECAY_MM))
            idx.append(line * n_samples + s)
            line_of.append(np.full(s.size, line))
        empty = np.zeros(0)
        self.idx = np.concatenate(idx).astype(np.intp) if idx else np.zeros(0, np.intp)
        self._shaft = np.concatenate(shaft) if shaft else empty
        self._tail = np.concatenate(tail) if tail else empty
        self._t = t[np.concatenate(line_of)] if line_of else empty

    def echo(self, length_mm: float) -> np.ndarray:
        """Amplitudes (unit tissue backscatter = 1) at :attr:`idx` for a shaft ``length_mm`` long."""
        beyond = np.clip((self._t - length_mm) / EDGE_MM, -40.0, 40.0)
        on = 1.0 / (1.0 + np.exp(beyond))
        tip = TIP_BOOST * np.exp(-0.5 * ((self._t - length_mm) / TIP_WIDTH_MM) ** 2)
        out: np.ndarray = self._shaft * (on + tip) + self._tail * on
        return out
