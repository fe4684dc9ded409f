"""What the live imaging hands a view that scan-converts on its GPU: lines, mapping, overlay mask.

The mapping is checked against hand-computed positions; the lines and marks against the CPU path."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sonocart.cart.live import LiveImaging
from sonocart.devices.probe import ProbeClient
from sonocart.devices.probe_geometry import to_frame_geometry
from sonocart.imaging.geometry import Geometry
from sonocart.imaging.gpu_params import SectorMapping
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.settings import DisplaySettings
from sonocart.wire import probe_codec as pc

SHAPE = (64, 256)
CONVEX = Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0)
PHASED = Geometry("phased", 5.0, 120.0, fov_deg=90.0)
LINEAR = Geometry("linear", 2.0, 40.0, width_mm=38.0)


def _frames(n: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [rng.integers(0, 65536, SHAPE, dtype=np.uint16) for _ in range(n)]


def _line_sample(m: SectorMapping, u: float, v: float) -> tuple[float, float]:
    """The mapping's documented formula, applied to its numbers (the test's own arithmetic)."""
    x = (u - m.origin_px[0]) * m.mm_per_px
    z = (v - m.origin_px[1]) * m.mm_per_px
    if m.kind == "linear":
        lat, rng = x, z
    else:
        zc = z + m.apex_mm
        lat, rng = math.atan2(x, zc), math.hypot(x, zc) - m.apex_mm
    return (lat - m.first_line) / m.line_step, (rng - m.depth_start_mm) / m.sample_mm


@pytest.mark.parametrize(
    ("geometry", "point_mm", "expected"),
    [
        # convex R40, ±30°, 0-80 mm: 15° right of the axis, 30 mm below the face
        (
            CONVEX,
            (70 * math.sin(math.radians(15)), 70 * math.cos(math.radians(15)) - 40),
            (45 / 60 * 63, 30 / 80 * 255),
        ),
        # phased ±45°, 5-120 mm: 30° left, 65 mm from the apex
        (
            PHASED,
            (-65 * math.sin(math.radians(30)), 65 * math.cos(math.radians(30))),
            (15 / 90 * 63, 60 / 115 * 255),
        ),
        # linear 38 mm, 2-40 mm: 9.5 mm right, 21 mm deep
        (LINEAR, (9.5, 21.0), (28.5 / 38 * 63, 19 / 38 * 255)),
    ],
)
def test_the_mapping_puts_a_hand_computed_off_axis_point_on_its_line_and_sample(
    geometry: Geometry, point_mm: tuple[float, float], expected: tuple[float, float]
) -> None:
    pipe = BModePipeline(400, 300)
    frame = pipe.process_for_gpu(_frames(1)[0], geometry)
    m, cal = frame.mapping, frame.calibration
    u, v = cal.origin_px[0] + point_mm[0] / cal.mm_per_px, cal.origin_px[1] + point_mm[1] / cal.mm_per_px
    line, sample = _line_sample(m, u, v)
    assert line == pytest.approx(expected[0], abs=1e-9)
    assert sample == pytest.approx(expected[1], abs=1e-9)
    assert (m.n_lines, m.n_samples, m.width_px, m.height_px) == (*SHAPE, 400, 300)


@pytest.mark.parametrize("geometry", [CONVEX, PHASED, LINEAR])
def test_the_lines_and_marks_are_those_of_the_cpu_image(geometry: Geometry) -> None:
    settings = DisplaySettings(depth_scale=True, focus_depth_mm=30.0, needle_guide_deg=40.0)
    cpu, gpu = BModePipeline(320, 240, settings), BModePipeline(320, 240, settings)
    for lines in _frames():
        image, _ = cpu.process(lines, geometry)
        frame = gpu.process_for_gpu(lines, geometry)
        assert cpu.shown_lines is not None
        np.testing.assert_array_equal(frame.lines, cpu.shown_lines)
    marked = frame.overlay > 0
    assert marked.sum() > 100  # ticks, focus and the guide's dashes
    np.testing.assert_array_equal(image[marked], frame.overlay[marked])
    assert not frame.overlay.flags.writeable


def test_the_frame_and_its_mask_are_rebuilt_only_when_the_marks_or_the_geometry_change() -> None:
    pipe = BModePipeline(320, 240, DisplaySettings(depth_scale=True))
    a, b, c = _frames()
    first = pipe.process_for_gpu(a, CONVEX)
    assert pipe.process_for_gpu(b, CONVEX) is first  # same buffer, same mapping, same marks
    pipe.settings.focus_depth_mm = 40.0
    moved = pipe.process_for_gpu(c, CONVEX)
    assert moved is not first and moved.overlay is not first.overlay
    assert moved.mapping == first.mapping and moved.lines is first.lines
    deeper = pipe.process_for_gpu(a, Geometry("convex", 0.0, 120.0, radius_mm=40.0, fov_deg=60.0))
    assert deeper.mapping != moved.mapping and deeper.mapping.sample_mm == pytest.approx(120 / 255)


@pytest.mark.parametrize("geometry", [CONVEX, LINEAR])
def test_a_steady_state_gpu_frame_allocates_nothing(geometry: Geometry) -> None:
    from tools.bench.__main__ import alloc_bytes_per_frame

    frames = itertools.cycle(_frames())
    pipe = BModePipeline(320, 240, DisplaySettings(depth_scale=True, persistence=0.5))
    for _ in range(3):
        pipe.process_for_gpu(next(frames), geometry)
    alloc_bytes_per_frame(lambda: pipe.process_for_gpu(next(frames), geometry), 4)  # fills Python's caches
    harness = alloc_bytes_per_frame(lambda: next(frames), 20)
    allocated = alloc_bytes_per_frame(lambda: pipe.process_for_gpu(next(frames), geometry), 20) - harness
    assert allocated == 0


def _live_with_frames(geometry: Geometry) -> tuple[LiveImaging, ProbeClient, list[pc.Frame]]:
    probe = ProbeClient("/nonexistent/probe")  # never started: frames are put into its slot by hand
    fg = to_frame_geometry(geometry)
    frames = [pc.Frame(i + 1, i + 1, 0, 0, fg, lines) for i, lines in enumerate(_frames())]
    return LiveImaging(probe, lambda: 0.0, 320, 240), probe, frames


def test_live_imaging_hands_a_gpu_view_lines_and_the_needle_or_a_still_gets_the_cpu_image() -> None:
    live, probe, frames = _live_with_frames(CONVEX)
    probe.latest.put(frames[0], 0.0)
    assert live.poll().gpu is None  # no view asked: the CPU image
    live.gpu_wanted = True
    probe.latest.put(frames[1], 0.0)
    view = live.poll()
    assert view.image is None and view.gpu is not None and view.calibration == view.gpu.calibration
    # a still of what the GPU drew is the CPU scan conversion of the same lines
    reference = BModePipeline(320, 240, DisplaySettings(depth_scale=True))
    for f in frames[:2]:
        expected, _ = reference.process(f.lines, CONVEX)
    shown = live.displayed()
    assert shown is not None
    np.testing.assert_array_equal(shown[0], expected)
    live.toggle_needle()  # the detector needs the image: the CPU path, and the view is told so
    probe.latest.put(frames[2], 0.0)
    view = live.poll()
    assert view.gpu is None and view.image is not None


def test_a_gpu_frame_is_scan_converted_on_the_cpu_only_when_a_still_needs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live, probe, frames = _live_with_frames(CONVEX)
    live.gpu_wanted = True
    converted: list[object] = []
    render = live.pipeline.render_levels
    monkeypatch.setattr(live.pipeline, "render_levels", lambda *a: converted.append(a) or render(*a))
    probe.latest.put(frames[0], 0.0)
    live.poll()
    assert live.caliper_mm() is None and live.settings_line()  # the 4 Hz text refresh
    assert converted == []
    assert live.displayed() is not None and live.displayed() is not None  # a still: made once
    assert len(converted) == 1
    probe.latest.put(frames[1], 0.0)
    live.poll()
    live.displayed()
    assert len(converted) == 2
