"""The B-mode chain shared by the live view, ``sonocart render`` and the benchmark.

Stages (dtype in → out), all in buffers preallocated per line shape or viewport:

1. :class:`~sonocart.imaging.levels.GreyLevels` — uint8 | uint16 | complex64 lines → uint8 grey
   levels: gain and 8-band TGC, dynamic range, log compression by lookup table, grey map;
2. :class:`~sonocart.imaging.temporal.LineFilters` — uint8 → uint8: speckle smoothing, persistence;
3. :class:`~sonocart.imaging.scanconvert.ScanConverter` — uint8 lines → uint8 image (bilinear);
4. :mod:`~sonocart.imaging.overlays` — burnt into the image in place.

:meth:`BModePipeline.process_for_gpu` stops after stage 2 and hands a view that scan-converts on its
GPU the lines, their mapping and the overlay marks as a mask (:mod:`~sonocart.imaging.gpu_params`).

Settings are read every frame and may change between any two frames; only
geometry, line shape or viewport changes rebuild the scan-conversion tables.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.gpu_params import GpuFrame, overlay_mask, sector_mapping
from sonocart.imaging.levels import GreyLevels
from sonocart.imaging.needle import NeedleDetector, NeedleEstimate
from sonocart.imaging.overlays import NEEDLE_LEVEL, draw, needle_pixels, overlay_pixels
from sonocart.imaging.scanconvert import Calibration, ScanConverter
from sonocart.imaging.settings import DisplaySettings
from sonocart.imaging.temporal import LineFilters

__all__ = ["BModePipeline", "DisplaySettings"]

#: converters (tables and image buffer) kept per pipeline, so toggling depth back and forth is instant.
CONVERTERS_KEPT = 4


class BModePipeline:
    """Lines in, display image out, for one viewport. Buffers are reused frame after frame."""

    def __init__(self, width_px: int, height_px: int, settings: DisplaySettings | None = None) -> None:
        self.width_px = width_px
        self.height_px = height_px
        self.settings = settings or DisplaySettings()
        self._levels: GreyLevels | None = None
        self._filters: LineFilters | None = None
        self._converter: ScanConverter | None = None
        self._converters: OrderedDict[tuple[Geometry, tuple[int, ...]], ScanConverter] = OrderedDict()
        self._overlay_key: tuple[object, ...] = ()
        self._overlays: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.intp), np.zeros(0, np.uint8))
        self._detector = NeedleDetector()
        #: the needle found in the last frame (needle enhancement on), else ``None``.
        self.needle: NeedleEstimate | None = None
        #: why needle enhancement gave nothing this frame if it failed (shown by the UI), else "".
        self.needle_fault = ""
        #: the uint8 grey levels behind the last image (what a cine buffer stores).
        self.shown_lines: np.ndarray | None = None
        self._gpu_frame: GpuFrame | None = None
        self._gpu_key: tuple[object, ...] = ()

    @property
    def converter(self) -> ScanConverter | None:
        """The scan converter of the last frame (its tables; ``None`` before the first frame)."""
        return self._converter

    def reset_persistence(self) -> None:
        if self._filters is not None:
            self._filters.reset()

    def _converter_for(self, geometry: Geometry, shape: tuple[int, ...]) -> ScanConverter:
        """This pipeline's own converter (its output buffer is ours alone), kept for a few recent depths.

        The tables behind it are cached across pipelines (a new pipeline after a resize back to a
        size seen before costs only its buffers)."""
        key = (geometry, shape)
        conv = self._converters.pop(key, None)
        if conv is None:
            conv = ScanConverter(geometry, shape[0], shape[1], self.width_px, self.height_px)
        self._converters[key] = conv
        while len(self._converters) > CONVERTERS_KEPT:
            self._converters.popitem(last=False)
        return conv

    def _grey_levels(self, lines: np.ndarray, geometry: Geometry) -> tuple[ScanConverter, np.ndarray]:
        """Stages 1 and 2 into their buffers; the converter for this geometry (its tables, calibration)."""
        s = self.settings
        levels, filters = self._levels, self._filters
        if levels is None or filters is None or levels.shape != lines.shape:
            levels = self._levels = GreyLevels(*lines.shape)
            filters = self._filters = LineFilters(*lines.shape)
        conv = self._converter
        if conv is None or conv.geometry != geometry or conv.shape != lines.shape:
            conv = self._converter = self._converter_for(geometry, lines.shape)
            filters.reset()  # new depth or probe: old frames do not belong in the average
            self._overlay_key = ()
        shown = self.shown_lines = filters.run(levels.run(lines, s), s.persistence, s.smoothing)
        return conv, shown

    def process_for_gpu(self, lines: np.ndarray, geometry: Geometry) -> GpuFrame:
        """Stages 1 and 2 only: the shown lines, their mapping and the overlay mask, for a GPU view.

        The frame object is rebuilt only when the mapping, the marks or the lines buffer change; the
        mask only when the marks do. Needle enhancement is not applied here (it needs the image)."""
        conv, shown = self._grey_levels(lines, geometry)
        s, cal = self.settings, conv.calibration
        self.needle = None
        self.needle_fault = ""
        frame, k = self._gpu_frame, self._gpu_key
        # compared field by field: building the key tuple every frame would allocate it
        same = (
            bool(k)
            and conv is k[0]
            and s.depth_scale == k[1]
            and s.focus_depth_mm == k[2]
            and s.needle_guide_deg == k[3]
        )
        if frame is None or frame.lines is not shown or not same:
            key = (conv, s.depth_scale, s.focus_depth_mm, s.needle_guide_deg)
            if frame is None or not same:
                marks = overlay_pixels(geometry, cal, s.depth_scale, s.focus_depth_mm, s.needle_guide_deg)
                mask = overlay_mask(cal, marks)
            else:
                mask = frame.overlay
            mapping = sector_mapping(geometry, shown.shape[0], shown.shape[1], cal)
            frame = self._gpu_frame = GpuFrame(shown, mapping, mask, cal)
            self._gpu_key = key
        return frame

    def process(self, lines: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, Calibration]:
        """Return the uint8 ``[height, width]`` image (valid until the next call) and its calibration."""
        s = self.settings
        conv, shown = self._grey_levels(lines, geometry)
        image = conv.convert(shown)
        key = (conv, s.depth_scale, s.focus_depth_mm, s.needle_guide_deg)
        if key != self._overlay_key:
            image.fill(0)  # wipe old marks in the margins; the sector is rewritten below
            image = conv.convert(shown)
            self._overlays = overlay_pixels(geometry, conv.calibration, *key[1:])  # type: ignore[arg-type]
            self._overlay_key = key
        self.needle = None
        self.needle_fault = ""
        if s.needle_enhance:  # on the bare image: overlays would look like needles
            try:
                self.needle = self._detector.detect(image, conv.calibration, geometry)
            except Exception as exc:  # an aid failing must never cost the live image
                self.needle_fault = f"needle detection failed: {type(exc).__name__}: {exc}"
        draw(conv.out_flat, self._overlays)
        if self.needle is not None:
            idx = needle_pixels(conv.calibration, *self.needle.trajectory)
            # only where the sector is redrawn every frame, so no mark outlives its needle
            conv.out_flat[idx[conv.inside.reshape(-1)[idx]]] = NEEDLE_LEVEL
        return image, conv.calibration

    def render_levels(self, shown_lines: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, Calibration]:
        """Scan-convert grey levels kept earlier (a cine frame) with this pipeline's overlays."""
        conv = self._converter_for(geometry, shown_lines.shape)
        self._converter = conv
        s = self.settings
        conv.out.fill(0)
        image = conv.convert(shown_lines)
        self._overlay_key = ()
        draw(
            conv.out_flat,
            overlay_pixels(geometry, conv.calibration, s.depth_scale, s.focus_depth_mm, s.needle_guide_deg),
        )
        return image, conv.calibration
