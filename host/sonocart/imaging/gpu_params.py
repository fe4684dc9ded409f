"""What a view that scan-converts on its GPU needs, instead of a scan-converted image (no Kivy, no GL).

The live screen may draw the sector itself: a fragment shader computes each display pixel's own
(line, sample) and samples the grey-level lines with the GPU's bilinear filter. The core hands it
the shown uint8 lines (the buffer the CPU path fills anyway), the mapping below and an overlay mask;
``render``, stills, cine export, DICOM and needle enhancement keep the CPU scan converter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sonocart.imaging.geometry import Geometry, Kind
from sonocart.imaging.overlays import draw
from sonocart.imaging.scanconvert import Calibration


@dataclass(frozen=True)
class SectorMapping:
    """Display pixel (u, v) → (line, sample), as numbers a shader takes as uniforms.

    Pixel (u, v) (row 0 at the top) is at x = (u − origin_u)·mm_per_px, z = (v − origin_v)·mm_per_px.
    Linear: line = (x − first_line)/line_step (mm), sample = (z − depth_start_mm)/sample_mm.
    Convex/phased: the lines fan out from (0, −apex_mm) (apex_mm = the arc's radius, 0 for phased);
    θ = atan2(x, z + apex_mm), r = hypot(x, z + apex_mm); line = (θ − first_line)/line_step (rad),
    sample = (r − apex_mm − depth_start_mm)/sample_mm. A pixel shows tissue when 0 ≤ line ≤ n_lines − 1
    and 0 ≤ sample ≤ n_samples − 1.
    """

    kind: Kind
    n_lines: int
    n_samples: int
    width_px: int
    height_px: int
    origin_px: tuple[float, float]
    mm_per_px: float
    apex_mm: float
    depth_start_mm: float
    sample_mm: float
    first_line: float
    line_step: float

    @property
    def polar(self) -> bool:
        return self.kind != "linear"


def sector_mapping(geometry: Geometry, n_lines: int, n_samples: int, cal: Calibration) -> SectorMapping:
    """The mapping the CPU scan converter's tables were computed from, for these lines and viewport."""
    if n_lines < 2 or n_samples < 2:
        raise ValueError("scan conversion needs at least 2 lines and 2 samples")
    sample_mm = (geometry.depth_end_mm - geometry.depth_start_mm) / (n_samples - 1)
    if geometry.kind == "linear":
        first, step, apex = -geometry.width_mm / 2, geometry.width_mm / (n_lines - 1), 0.0
    else:
        fov = math.radians(geometry.fov_deg)
        first, step = -fov / 2, fov / (n_lines - 1)
        apex = geometry.radius_mm if geometry.kind == "convex" else 0.0
    return SectorMapping(
        geometry.kind,
        n_lines,
        n_samples,
        cal.width_px,
        cal.height_px,
        cal.origin_px,
        cal.mm_per_px,
        apex,
        geometry.depth_start_mm,
        sample_mm,
        first,
        step,
    )


def overlay_mask(cal: Calibration, overlay: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """uint8 ``[height, width]``, read-only: the overlay marks' grey levels, 0 where there is none.

    Every mark's level is above 0, so "mark where the mask is not 0" is the CPU path's burn-in."""
    mask = np.zeros((cal.height_px, cal.width_px), dtype=np.uint8)
    draw(mask.reshape(-1), overlay)
    mask.setflags(write=False)
    return mask


@dataclass(frozen=True, eq=False)
class GpuFrame:
    """A frame for a GPU scan conversion: the lines to upload, how they map, the overlay marks.

    ``lines`` is the pipeline's own buffer (valid until its next frame; the same object frame after
    frame while the line shape holds). ``overlay`` is a new object only when the marks change, so a
    view re-uploads it only when ``overlay is not`` the one it has."""

    lines: np.ndarray
    mapping: SectorMapping
    overlay: np.ndarray
    calibration: Calibration
