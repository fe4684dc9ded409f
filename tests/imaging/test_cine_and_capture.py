"""Cine keeps bounded memory, freezes and scrolls; stills carry their scale; clips are standard MP4."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from sonocart.imaging.capture import capture_still, save_clip, scale_bar_mm
from sonocart.imaging.cine import CineBuffer
from sonocart.imaging.geometry import Geometry
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.scanconvert import Calibration

G = Geometry("linear", 0.0, 40.0, width_mm=38.0)


def _frame(k: int) -> np.ndarray:
    return np.full((32, 128), k % 256, dtype=np.uint8)


@pytest.mark.parametrize(("max_bytes", "seconds"), [(64 * 1024, 100.0), (10**9, 2.0), (200 * 1024, 3.0)])
def test_cine_memory_is_bounded_by_bytes_and_seconds(max_bytes: int, seconds: float) -> None:
    cine = CineBuffer(32, 128, max_bytes=max_bytes, max_seconds=seconds, fps=30.0)
    frame_bytes = 32 * 128
    assert cine.capacity == min(max_bytes // frame_bytes, int(seconds * 30))
    before = cine.nbytes
    for k in range(cine.capacity * 3):
        cine.push(_frame(k), G, k / 30)
    assert len(cine) == cine.capacity
    assert cine.nbytes == before <= cine.capacity * (frame_bytes + 8)
    assert cine.frame(0).t_s == pytest.approx((cine.capacity * 2) / 30)  # the oldest kept
    assert cine.frame(cine.capacity - 1).lines[0, 0] == (cine.capacity * 3 - 1) % 256


def test_freeze_stops_recording_and_scrolls_within_the_loop() -> None:
    cine = CineBuffer(32, 128, max_bytes=10 * 32 * 128, max_seconds=100)
    for k in range(15):
        cine.push(_frame(k), G, float(k))
    cine.freeze()
    assert cine.current().lines[0, 0] == 14
    assert not cine.push(_frame(99), G, 99.0)  # ignored while frozen
    assert cine.scroll(-3).lines[0, 0] == 11
    assert cine.scroll(-100).lines[0, 0] == 5  # clamped at the oldest of the 10 kept
    assert cine.scroll(+100).lines[0, 0] == 14
    assert not cine.current().lines.flags.writeable
    cine.unfreeze()
    assert cine.push(_frame(20), G, 20.0) and cine.current().lines[0, 0] == 20


def test_a_cine_frame_renders_again_through_the_pipeline() -> None:
    pipe = BModePipeline(200, 200)
    lines = np.random.default_rng(0).integers(0, 65535, (32, 128), dtype=np.uint16)
    live, _ = pipe.process(lines, G)
    live = live.copy()
    assert pipe.shown_lines is not None
    cine = CineBuffer(32, 128, max_bytes=1 << 20)
    cine.push(pipe.shown_lines, G, 0.0)
    replayed, _ = pipe.render_levels(cine.current().lines, G)
    assert (replayed == live).all()


def test_still_capture_has_a_scale_bar_and_its_calibration(tmp_path: Path) -> None:
    cal = Calibration(0.1, (400.0, 0.0), 800, 600)
    image = np.zeros((600, 800), np.uint8)
    path = capture_still(image, cal, tmp_path / "still.png")
    png = Image.open(path)
    meta = json.loads(png.text["sonocart:calibration"])
    assert meta["mm_per_px"] == 0.1 and meta["scale_bar_mm"] == scale_bar_mm(cal)
    pixels = np.asarray(png)
    bar_row = pixels[600 - 12 - 1]
    lit = np.flatnonzero(bar_row)
    assert (lit[-1] - lit[0]) * cal.mm_per_px == pytest.approx(meta["scale_bar_mm"], abs=2 * cal.mm_per_px)
    assert (image == 0).all()  # the live buffer itself is untouched


def test_clip_is_an_h264_mp4_with_every_frame(tmp_path: Path) -> None:
    frames = [np.full((120, 161), 10 * k, np.uint8) for k in range(12)]  # odd width is cropped even
    assert save_clip(frames, 25, tmp_path / "clip.mp4") == 12
    with av.open(str(tmp_path / "clip.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        decoded = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(decoded) == 12 and decoded[0].shape == (120, 160)
    assert abs(float(decoded[5].mean()) - 50) < 3
