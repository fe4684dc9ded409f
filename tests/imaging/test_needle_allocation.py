"""Needle enhancement works in buffers made once per image size: a steady-state frame allocates
nothing proportional to the image or to its candidates, and keeps nothing.

Oracle: tracemalloc (numpy reports every array buffer to it), not the detector's own accounting.
"""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

from sonocart.imaging.needle import NeedleDetector
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.imaging.scanconvert import Calibration
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.tissue import TissueScene, default_needle

#: what a frame may still allocate at its peak: array headers, scalars and the few-hundred-sample
#: arrays of the checks along a candidate line. One half-resolution 800 × 600 plane is 120 kB; the
#: detector allocated about 3.5 MB a frame before it had its buffers.
PEAK_BOUND_BYTES = 32 * 1024
#: what may stay allocated after 100 frames: Python's and numpy's free lists of small objects fill
#: up (measured 6–11 kB, not growing: 6.5 kB after 1,500 frames); a leak of 200 B a frame exceeds it.
KEPT_BOUND_BYTES = 20 * 1024


def _traced(step: Callable[[], object], frames: int) -> tuple[int, int]:
    """(largest peak above the pre-call level, growth of the traced total) over ``frames`` calls."""
    worst_peak = 0
    tracemalloc.start()
    try:
        for _ in range(4):  # the first calls traced fill Python's own caches
            step()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(frames):
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            step()
            worst_peak = max(worst_peak, tracemalloc.get_traced_memory()[1] - before)
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    return worst_peak, grown


@pytest.mark.parametrize(
    ("probe", "t_s"), [("convex", 4.0), ("convex", 0.0), ("linear", 4.0), ("phased", 4.0)]
)
def test_a_steady_state_needle_frame_allocates_a_small_fixed_amount_and_keeps_none(
    probe: str, t_s: float
) -> None:
    g = PROBES[probe]
    scene = TissueScene(g, 128, 1024, seed=7, needle=default_needle(g, 35.0))
    pipe = BModePipeline(800, 600, DisplaySettings())
    frames: list[tuple[np.ndarray, Calibration]] = []
    for k in range(4):
        image, cal = pipe.process(scene.envelope(t_s + 0.1 * k, k), g)
        frames.append((image.copy(), cal))
    detector = NeedleDetector()
    found = [detector.detect(image, cal, g) for image, cal in frames]
    if (probe, t_s) == ("convex", 4.0):
        assert all(est is not None for est in found)  # measured where every check along a line runs
    cycle = itertools.cycle(frames)
    harness_peak, _ = _traced(lambda: next(cycle), 20)
    peak, kept = _traced(lambda: detector.detect(*next(cycle), g), 100)
    assert peak - harness_peak <= PEAK_BOUND_BYTES
    assert kept <= KEPT_BOUND_BYTES  # the buffers are reused, not grown or added to
