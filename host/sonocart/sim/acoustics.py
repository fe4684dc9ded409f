"""What the simulated transducer does to the echoes: frequency, point-spread function, attenuation.

Each probe kind has the centre frequency, active aperture and transmit focus of
a typical point-of-care transducer of that kind (a 6–13 MHz linear block probe,
a 2–5 MHz curvilinear, a 1–4 MHz phased array). From them:

* wavelength ``λ = c / f`` with c = 1.54 mm/µs (soft tissue);
* axial resolution (envelope FWHM) ≈ λ: a two-cycle pulse, half of it on the way back;
* lateral resolution (FWHM) ≈ λ · F#, with F# = depth / aperture (dynamic receive
  focusing, never better than :data:`MIN_F_NUMBER`), widening past the transmit focus;
* round-trip attenuation ``2 · α · f`` dB, α in dB/cm/MHz per tissue (cited values below);
* the probe's own front-end TGC compensating :data:`COMPENSATION_DB_CM_MHZ` of it up to
  :data:`MAX_FRONT_END_GAIN_DB` — so that, as on a real scanner, muscle keeps its grey
  over depth at default settings, fluid brightens what is behind it, bone shadows, and
  a high-frequency probe runs out of penetration (noise) sooner than a low-frequency one.

Attenuation coefficients (dB/cm/MHz, one way) are round values inside the published
ranges (e.g. the tables in Szabo, *Diagnostic Ultrasound Imaging: Inside Out*, 2nd ed.,
2014, appendix B): fat 0.5, muscle 0.7 (along to across fibres spans ~0.5–1.3), tendon
0.9, blood 0.15, effusion ≈ water 0.002, cortical bone 20 (a shadow within a millimetre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sonocart.imaging.geometry import Geometry

SPEED_MM_PER_US = 1.54
MIN_F_NUMBER = 1.2
COMPENSATION_DB_CM_MHZ = 0.6
MAX_FRONT_END_GAIN_DB = 50.0

#: one-way attenuation, dB/cm/MHz (round values inside published ranges, see above).
ATTENUATION = {
    "fat": 0.5,
    "muscle": 0.7,
    "tendon": 0.9,
    "nerve": 0.7,
    "blood": 0.15,
    "fluid": 0.002,
    "cartilage": 0.6,
    "skin": 0.8,
    "bone": 20.0,
}


@dataclass(frozen=True)
class Transducer:
    centre_mhz: float
    aperture_mm: float
    focus_mm: float

    @property
    def wavelength_mm(self) -> float:
        return SPEED_MM_PER_US / self.centre_mhz

    def axial_fwhm_mm(self) -> float:
        return self.wavelength_mm

    def lateral_fwhm_mm(self, depth_mm: float) -> float:
        """Beam width at ``depth_mm`` below the face: λ·F#, wider past the transmit focus."""
        f_number = max(MIN_F_NUMBER, depth_mm / self.aperture_mm)
        beyond = max(0.0, depth_mm - self.focus_mm) / self.focus_mm
        return self.wavelength_mm * f_number * (1.0 + 0.5 * beyond)

    def round_trip_db_per_mm(self, alpha_db_cm_mhz: float) -> float:
        return 2.0 * alpha_db_cm_mhz * self.centre_mhz / 10.0

    def compensation_db(self, depth_mm: float) -> float:
        """The probe's own TGC at ``depth_mm``: nominal soft-tissue loss, capped."""
        return min(self.round_trip_db_per_mm(COMPENSATION_DB_CM_MHZ) * depth_mm, MAX_FRONT_END_GAIN_DB)


#: typical transducers per geometry kind (centre frequency, active aperture, transmit focus).
TRANSDUCERS = {
    "linear": Transducer(centre_mhz=10.0, aperture_mm=12.0, focus_mm=20.0),
    "convex": Transducer(centre_mhz=3.5, aperture_mm=25.0, focus_mm=50.0),
    "phased": Transducer(centre_mhz=2.5, aperture_mm=16.0, focus_mm=60.0),
}


def transducer_for(geometry: Geometry) -> Transducer:
    return TRANSDUCERS[geometry.kind]


def sigma(fwhm: float) -> float:
    """Gaussian σ of a full width at half maximum."""
    return fwhm / (2.0 * math.sqrt(2.0 * math.log(2.0)))
