"""What the clinician adjusts live: gain, 8-band TGC, DR, grey map, persistence, smoothing, overlays.

A plain mutable record the UI edits between frames; the pipeline reads it each
frame and rebuilds only the small table a changed field feeds (never the scan
conversion tables, which depend on geometry and viewport alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TGC_BANDS = 8
GREY_MAPS = ("linear", "soft", "contrast")
PERSISTENCE_LEVELS = {"off": 0.0, "low": 0.25, "medium": 0.5, "high": 0.75}
MAX_PERSISTENCE = 0.95


FLAT_TGC: tuple[float, ...] = (0.0,) * TGC_BANDS


def _flat_tgc() -> tuple[float, ...]:
    return FLAT_TGC


@dataclass
class DisplaySettings:
    dynamic_range_db: float = 60.0
    gain_db: float = 0.0
    #: dB per depth band, shallowest first; interpolated smoothly over depth.
    tgc_db: tuple[float, ...] = field(default_factory=_flat_tgc)
    #: fraction of the previous displayed frame kept each frame (0 = off); see PERSISTENCE_LEVELS.
    persistence: float = 0.0
    #: light 3×3 speckle smoothing ([1, 2, 1] along and across lines).
    smoothing: bool = False
    grey_map: str = "linear"
    #: overlays (off by default so the bare image is unchanged): depth scale, focus marker, needle guide.
    depth_scale: bool = False
    focus_depth_mm: float | None = None
    needle_guide_deg: float | None = None
    #: needle enhancement: detect the shaft, overlay its trajectory and tip (``BModePipeline.needle``).
    needle_enhance: bool = False

    def validate(self) -> None:
        """Raise ``ValueError`` for a setting the chain cannot honour (the UI should clamp first)."""
        if not self.dynamic_range_db > 0:
            raise ValueError(f"dynamic range must be positive, got {self.dynamic_range_db}")
        if not isinstance(self.tgc_db, tuple):
            raise ValueError("tgc_db must be a tuple (the pipeline compares it cheaply every frame)")
        if len(self.tgc_db) != TGC_BANDS:
            raise ValueError(f"TGC needs {TGC_BANDS} bands, got {len(self.tgc_db)}")
        if not 0.0 <= self.persistence <= MAX_PERSISTENCE:
            raise ValueError(f"persistence must be in [0, {MAX_PERSISTENCE}], got {self.persistence}")
        if self.grey_map not in GREY_MAPS:
            raise ValueError(f"grey map must be one of {GREY_MAPS}, got {self.grey_map!r}")
