"""Benchmark: the full live chain (128 × 1024 uint16, convex, → 800 × 600) against OpenCV, on one core.

Ours and the OpenCV reference run interleaved on the same frames, so machine
load hits both alike; medians are compared. Allocation is measured separately
with tracemalloc: the largest peak above the baseline over steady-state frames.
The last line is machine-readable:
``pipeline_ms=X opencv_ms=Y ratio=Z alloc_bytes_per_frame=W``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence

import numpy as np

from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.settings import DisplaySettings
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.tissue import TissueScene

N_LINES, N_SAMPLES, WIDTH, HEIGHT = 128, 1024, 800, 600


def live_settings() -> DisplaySettings:
    """A realistic live setting: every stage switched on."""
    return DisplaySettings(
        dynamic_range_db=60.0,
        gain_db=4.0,
        tgc_db=(-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0),
        persistence=0.5,
        smoothing=True,
        grey_map="soft",
        depth_scale=True,
        focus_depth_mm=30.0,
        needle_guide_deg=35.0,
    )


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "no affinity control"


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def alloc_bytes_per_frame(step: Callable[[], object], frames: int) -> int:
    """Largest traced-memory peak above the pre-frame level over ``frames`` steady-state calls."""
    worst = 0
    tracemalloc.start()
    try:
        for _ in range(frames):
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            step()
            worst = max(worst, tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    ap.add_argument("--frames", type=int, default=300, help="timed frames per implementation")
    args = ap.parse_args(argv)
    from tools.bench.opencv_reference import OpenCVReference  # bench-only dependency

    where = _pin_to_one_core()
    geometry = PROBES["convex"]
    settings = live_settings()
    scene = TissueScene(geometry, N_LINES, N_SAMPLES, seed=7)
    frames = [scene.envelope(t_s=0.1 * k, index=k).copy() for k in range(8)]
    ours = BModePipeline(WIDTH, HEIGHT, settings)
    refs = {
        "float maps": OpenCVReference(geometry, N_LINES, N_SAMPLES, WIDTH, HEIGHT, settings, False),
        "fixed-point maps": OpenCVReference(geometry, N_LINES, N_SAMPLES, WIDTH, HEIGHT, settings, True),
    }
    for k in range(20):  # warm-up: tables, caches, CPU frequency
        ours.process(frames[k % 8], geometry)
        for ref in refs.values():
            ref.process(frames[k % 8])
    t_ours: list[float] = []
    t_ref: dict[str, list[float]] = {name: [] for name in refs}
    for k in range(args.frames):
        lines = frames[k % 8]
        t_ours.append(_timed(lambda lines=lines: ours.process(lines, geometry)))  # type: ignore[misc]
        for name, ref in refs.items():
            t_ref[name].append(_timed(lambda ref=ref, lines=lines: ref.process(lines)))  # type: ignore[misc]
    cycle = itertools.cycle(frames)  # (a counter would allocate its large ints and be counted)
    harness = alloc_bytes_per_frame(lambda: next(cycle), 100)  # what measuring itself costs
    alloc = max(0, alloc_bytes_per_frame(lambda: ours.process(next(cycle), geometry), 100) - harness)

    ours_ms = statistics.median(t_ours)
    ref_ms = {name: statistics.median(ts) for name, ts in t_ref.items()}
    best = min(ref_ms, key=lambda name: ref_ms[name])
    print(f"# numpy {np.__version__}, python {sys.version.split()[0]}, {where}, {args.frames} frames each")
    print(f"# chain: {N_LINES}x{N_SAMPLES} uint16 convex -> {WIDTH}x{HEIGHT}, {settings}")
    print(f"# ours p10/p50/p90 ms: {np.percentile(t_ours, [10, 50, 90]).round(3).tolist()}")
    for name, ms in ref_ms.items():
        print(f"# opencv ({name}) p50 ms: {ms:.3f}")
    print(f"# ratio against the faster OpenCV variant ({best}); tracemalloc harness alone: {harness} B")
    print(
        f"pipeline_ms={ours_ms:.3f} opencv_ms={ref_ms[best]:.3f} "
        f"ratio={ours_ms / ref_ms[best]:.3f} alloc_bytes_per_frame={alloc}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
