"""Benchmark: the live chain against a tuned OpenCV chain, needle enhancement and the simulator, one core.

Every variant runs interleaved frame by frame on the same frames, on one pinned
core, so machine load hits all alike; medians are compared:

* the full live chain (128 × 1024 uint16, convex, → 800 × 600, every stage on) —
  ours, and OpenCV tuned (float maps and fixed-point maps; the faster is counted);
* scan conversion alone: ours (``cv2.remap`` on the tissue bands) and the rejected
  plain-numpy exact bilinear (:mod:`tools.bench.numpy_bilinear`);
* needle enhancement on the 800 × 600 image, femoral scene, for each probe (linear, convex,
  phased; one detector each): frames where the needle is short, where it is fully advanced,
  and of the scene without a needle (every candidate line is judged and rejected, the slow
  path); the slowest median is ``needle_ms`` (each probe's is printed too). The detector is
  timed where it runs on the cart: inside :meth:`BModePipeline.process` with needle enhancement
  on, right after that call has scan-converted the frame (each probe's own pipeline, display
  defaults: the detector sees the frames of the accuracy tables), so every set starts with the
  caches the live chain leaves it — not a warm loop of the detector alone, which flatters it,
  and not whatever the variant timed before it happened to leave (the first set after the
  chain's variants lost 0.3–0.8 ms to that when the detector was timed alone);
* a simulator frame per scene (128 × 512, the simulator's default, and 128 × 1024).

Allocation is measured with tracemalloc: the largest traced peak above the
pre-frame level over steady-state frames, less the harness's own (for the needle
detector also how much the traced total grows over 100 frames). The last line
is machine-readable.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.imaging.needle import NeedleDetector, NeedleEstimate
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.scanconvert import Calibration, ScanConverter
from sonocart.imaging.settings import DisplaySettings
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.scenes import SCENES
from sonocart.sim.tissue import TissueScene, default_needle

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


def kept_bytes(step: Callable[[], object], frames: int, windows: int = 1) -> int:
    """How much the traced total grows over ``frames`` steady-state calls (what stays allocated).

    With ``windows`` > 1, the least growth over that many successive runs of ``frames`` calls: a
    leak grows in every one, while a cache that fills once (numpy's, now and then, in the middle of
    a run: 2–5 kB, measured on the needle detector) shows in one or two. Cyclic garbage is
    collected before each count, so garbage the collector has not reached yet does not count as
    kept. The total is the whole process's: another thread allocating meanwhile is counted too."""
    if windows < 1:
        raise ValueError(f"windows must be 1 or more, not {windows}")
    tracemalloc.start()
    try:
        for _ in range(4):  # the first calls traced fill Python's own caches
            step()
        least: int | None = None
        for _ in range(windows):
            gc.collect()
            start = tracemalloc.get_traced_memory()[0]
            for _ in range(frames):
                step()
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - start
            least = grown if least is None else min(least, grown)
        return least or 0
    finally:
        tracemalloc.stop()


def _interleaved(
    variants: dict[str, Callable[[int], object]],
    frames: int,
    warm_up: int = 20,
    timed_inside: dict[str, Callable[[], float]] | None = None,
) -> dict[str, float]:
    """Median ms per call of each variant, the variants called in turn on frame k = 0, 1, 2, ...

    A variant named in ``timed_inside`` is timed by its own clock there (the ms of a part of its call,
    read after it) instead of the whole call."""
    inside = timed_inside or {}
    for k in range(warm_up):
        for fn in variants.values():
            fn(k)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for k in range(frames):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            fn(k)
            elapsed = (time.perf_counter() - t0) * 1e3
            times[name].append(inside[name]() if name in inside else elapsed)
    return {name: statistics.median(ts) for name, ts in times.items()}


class TimedDetector(NeedleDetector):
    """The needle detector, timing each of its calls (``last_ms``): set into a pipeline, it times the
    detector as the live chain calls it."""

    last_ms = 0.0

    def detect(self, image: np.ndarray, cal: Calibration, geometry: Geometry) -> NeedleEstimate | None:
        t0 = time.perf_counter()
        found = super().detect(image, cal, geometry)
        self.last_ms = (time.perf_counter() - t0) * 1e3
        return found


class NeedleSet:
    """One needle set: 8 envelopes of a probe's scene, its probe's pipeline with needle enhancement on
    (the detector inside it timed), and the bare 800 × 600 images the detector sees in that pipeline."""

    def __init__(
        self, pipe: BModePipeline, detector: TimedDetector, geometry: Geometry, envelopes: list[np.ndarray]
    ) -> None:
        self.pipe, self.detector, self.geometry, self.envelopes = pipe, detector, geometry, envelopes
        bare = BModePipeline(WIDTH, HEIGHT, DisplaySettings())
        self.shown: list[tuple[np.ndarray, Calibration]] = []
        for lines in envelopes:
            image, cal = bare.process(lines, geometry)
            self.shown.append((image.copy(), cal))

    def live(self, k: int) -> None:
        """Frame ``k`` through the live chain, the detector called inside it (as on the cart)."""
        self.pipe.process(self.envelopes[k % len(self.envelopes)], self.geometry)


NEEDLE_PROBES = ("linear", "convex", "phased")


def _needle_frames() -> dict[tuple[str, str], NeedleSet]:
    """Per probe of :data:`NEEDLE_PROBES` and kind ("needle short": 0 s into the insertion, "needle
    advanced": 4 s, fully in; "no needle": the scene without one), 8 frames of the femoral scene and
    the probe's pipeline with needle enhancement on (one pipeline and detector per probe, display
    defaults: no overlays, the frames of the accuracy tables)."""
    out: dict[tuple[str, str], NeedleSet] = {}
    for probe in NEEDLE_PROBES:
        g = PROBES[probe]
        detector = TimedDetector()
        pipe = BModePipeline(WIDTH, HEIGHT, DisplaySettings(needle_enhance=True))
        pipe._detector = detector  # (the bench's timing detector in the pipeline's place)
        kinds = (
            ("needle short", default_needle(g, 35.0), 0.0),
            ("needle advanced", default_needle(g, 35.0), 4.0),
            ("no needle", None, 0.0),
        )
        for kind, needle, t0 in kinds:
            scene = TissueScene(g, N_LINES, N_SAMPLES, seed=7, needle=needle, with_needle=needle is not None)
            envelopes = [scene.envelope(t_s=t0 + 0.1 * k, index=k).copy() for k in range(8)]
            out[(probe, kind)] = NeedleSet(pipe, detector, g, envelopes)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    ap.add_argument("--frames", type=int, default=300, help="timed frames per variant")
    args = ap.parse_args(argv)
    import cv2

    from tools.bench.numpy_bilinear import NumpyBilinear
    from tools.bench.opencv_reference import OpenCVReference

    where = _pin_to_one_core()
    g = PROBES["convex"]
    settings = live_settings()
    scene = TissueScene(g, N_LINES, N_SAMPLES, seed=7, needle=default_needle(g, 35.0))
    frames = [scene.envelope(t_s=0.1 * k, index=k).copy() for k in range(8)]
    ours = BModePipeline(WIDTH, HEIGHT, settings)
    float_ref = OpenCVReference(g, N_LINES, N_SAMPLES, WIDTH, HEIGHT, settings, False)
    fixed_ref = OpenCVReference(g, N_LINES, N_SAMPLES, WIDTH, HEIGHT, settings, True)
    u8 = [np.ascontiguousarray((f >> 8).astype(np.uint8)) for f in frames]
    conv = ScanConverter(g, N_LINES, N_SAMPLES, WIDTH, HEIGHT)
    numpy_conv = NumpyBilinear(g, N_LINES, N_SAMPLES, WIDTH, HEIGHT)
    needle_frames = _needle_frames()
    needle_variants: dict[str, Callable[[int], object]] = {}
    needle_clocks: dict[str, Callable[[], float]] = {}
    for (probe, kind), needle_set in needle_frames.items():
        name = f"needle enhancement 800x600, {probe} {kind}"
        needle_variants[name] = needle_set.live
        needle_clocks[name] = lambda d=needle_set.detector: d.last_ms  # type: ignore[misc]
    chain = _interleaved(
        {
            "ours": lambda k: ours.process(frames[k % 8], g),
            "opencv float maps": lambda k: float_ref.process(frames[k % 8]),
            "opencv fixed-point maps": lambda k: fixed_ref.process(frames[k % 8]),
            "scan conversion: ours (cv2.remap, tissue bands)": lambda k: conv.convert(u8[k % 8]),
            "scan conversion: numpy exact bilinear": lambda k: numpy_conv.convert(u8[k % 8]),
            **needle_variants,
        },
        args.frames,
        timed_inside=needle_clocks,
    )
    sims: dict[str, Callable[[int], object]] = {}
    for name in SCENES:
        for n_samples in (512, 1024):
            s = TissueScene(PROBES["linear"], N_LINES, n_samples, seed=3, scene_name=name)
            sims[f"sim {name} 128x{n_samples}"] = lambda k, s=s: s.envelope(k / 30.0, k)  # type: ignore[misc]
    sim = _interleaved(sims, max(60, args.frames // 3), warm_up=5)
    cycle = itertools.cycle(frames)  # (a counter would allocate its large ints and be counted)
    harness = alloc_bytes_per_frame(lambda: next(cycle), 100)  # what measuring itself costs
    alloc = max(0, alloc_bytes_per_frame(lambda: ours.process(next(cycle), g), 100) - harness)
    # (each detector on its own frames, which the interleaved run has warmed up; all 9 sets)
    needle_sets = [(ns.detector, PROBES[p], ns.shown) for (p, _), ns in needle_frames.items()]
    needle_alloc = 0
    for det, pg, shown in needle_sets:
        shown_cycle = itertools.cycle(shown)
        needle_alloc = max(
            needle_alloc,
            alloc_bytes_per_frame(lambda: det.detect(*next(shown_cycle), pg), 24),  # noqa: B023
        )
    needle_alloc = max(0, needle_alloc - harness)
    convex_set = needle_frames[("convex", "needle advanced")]
    convex_detector, convex_found = convex_set.detector, convex_set.shown
    found_cycle = itertools.cycle(convex_found)
    needle_kept = kept_bytes(lambda: convex_detector.detect(*next(found_cycle), g), 100)

    best = min(("opencv float maps", "opencv fixed-point maps"), key=lambda n: chain[n])
    needle_ms = max(chain[name] for name in needle_variants)
    per_probe = {
        probe: max(
            ms for name, ms in chain.items() if name.startswith(f"needle enhancement 800x600, {probe} ")
        )
        for probe in NEEDLE_PROBES
    }
    shown_hits = ", ".join(
        f"{probe} {kind} {sum(ns.detector.detect(*f, PROBES[probe]) is not None for f in ns.shown)}/8"
        for (probe, kind), ns in needle_frames.items()
    )
    print(f"# numpy {np.__version__}, opencv {cv2.__version__}, python {sys.version.split()[0]}, {where}")
    print(f"# chain: {N_LINES}x{N_SAMPLES} uint16 convex -> {WIDTH}x{HEIGHT}, {settings}")
    for name, ms in {**chain, **sim}.items():
        print(f"# {name:50s} p50 {ms:7.3f} ms")
    print(
        f"# largest needle detector peak allocation per frame {needle_alloc} B (array headers, scalars, "
        f"short per-line samples; its planes, "
        f"candidate lists and vote table are buffers made once per image size), "
        f"traced total grown over 100 frames {needle_kept} B (free lists of small objects)"
    )
    print(f"# needle found in: {shown_hits}")
    print(
        "# needle_ms per probe (slowest of its rows): "
        + ", ".join(f"{p} {ms:.3f}" for p, ms in per_probe.items())
    )
    print(f"# ratio against the faster OpenCV variant ({best}); tracemalloc harness alone: {harness} B")
    sim_worst = max(sim.values())
    print(
        f"pipeline_ms={chain['ours']:.3f} opencv_ms={chain[best]:.3f} "
        f"ratio={chain['ours'] / chain[best]:.3f} "
        f"alloc_bytes_per_frame={alloc} needle_ms={needle_ms:.3f} needle_alloc_bytes={needle_alloc} "
        f"sim_worst_ms={sim_worst:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
