"""Captures: a still (PNG with a burnt-in scale bar and its calibration) and a clip (MP4, H.264).

Clips go through PyAV — FFmpeg's own libraries in-process, with wheels that
bundle them (x86-64 and aarch64 for the Pi): no system FFmpeg, no subprocess,
and H.264 in MP4 is what every PACS viewer, laptop and phone plays. Grey frames
are encoded as yuv420p at a near-lossless quality (CRF 12).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from sonocart.imaging.scanconvert import Calibration

BAR_LEVEL = 255
CLIP_CRF = 12


def scale_bar_mm(cal: Calibration) -> float:
    """A round bar length (1, 2, 5, 10, 20 mm …) about a fifth of the image width."""
    target = cal.width_px * cal.mm_per_px / 5
    for length in (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0):
        if length >= target * 0.6:
            return length
    return 100.0


def with_scale_bar(image: np.ndarray, cal: Calibration) -> tuple[np.ndarray, float]:
    """A copy of ``image`` with a scale bar (end ticks, 1 cm ticks) at the bottom left."""
    out = image.copy()
    length_mm = scale_bar_mm(cal)
    n_px = max(2, round(length_mm / cal.mm_per_px))
    h, w = out.shape
    v = h - 12
    u0 = 12
    u1 = min(w - 2, u0 + n_px)
    out[v - 1 : v + 1, u0 : u1 + 1] = BAR_LEVEL
    ticks = [u0, u1] + [u0 + round(k * 10.0 / cal.mm_per_px) for k in range(1, math.ceil(length_mm / 10))]
    for u in ticks:
        out[v - 6 : v + 1, u : u + 2] = BAR_LEVEL
    return out, length_mm


def capture_still(image: np.ndarray, calibration: Calibration, path: str | Path) -> Path:
    """Write a PNG of ``image`` with a scale bar; the calibration travels in the PNG's text chunks."""
    path = Path(path)
    marked, bar_mm = with_scale_bar(image, calibration)
    info = PngImagePlugin.PngInfo()
    meta = {
        "mm_per_px": calibration.mm_per_px,
        "origin_px": list(calibration.origin_px),
        "scale_bar_mm": bar_mm,
    }
    info.add_text("sonocart:calibration", json.dumps(meta))
    tmp = path.with_name(f".{path.name}.tmp")
    Image.fromarray(marked, mode="L").save(tmp, format="PNG", pnginfo=info)
    os.replace(tmp, path)  # never a half-written capture
    return path


def save_clip(frames: Iterable[np.ndarray], fps: float, path: str | Path) -> int:
    """Encode uint8 grey frames (all one size) to an MP4/H.264 file; returns the number of frames."""
    import av  # a runtime dependency, imported only when a clip is saved

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.mp4")
    count = 0
    with av.open(str(tmp), mode="w") as container:
        stream = None
        for frame in frames:
            if frame.dtype != np.uint8 or frame.ndim != 2:
                raise ValueError(f"clip frames must be uint8 [h, w], got {frame.dtype} {frame.shape}")
            h, w = frame.shape
            even = frame[: h - h % 2, : w - w % 2]  # yuv420p needs even sizes
            if stream is None:
                stream = container.add_stream("libx264", rate=round(fps))
                stream.width, stream.height = even.shape[1], even.shape[0]
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": str(CLIP_CRF), "preset": "veryfast"}
            video = av.VideoFrame.from_ndarray(np.ascontiguousarray(even), format="gray")
            for packet in stream.encode(video):
                container.mux(packet)
            count += 1
        if stream is None:
            raise ValueError("a clip needs at least one frame")
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)
    return count
