"""Whether this tree's needle detector gives the estimates of the one at an earlier git revision.

``python -m tools.bench.needle_identity REV`` runs both detectors (REV's loaded as
:mod:`tools.bench.needle_ab` loads it) on the same frames: the accuracy matrix's 96 needle frames
(:func:`tools.bench.needle_matrix.accuracy`'s cases), its 324 needle-free frames (seeds 4–6) and 648
more (seeds 7–12, not in the test suite), and the bench's 72 (:data:`tools.bench.needle_ab.CASES`'s
probes, 8 frames a set). It prints how many estimates differ (trajectory, tip, angle, confidence and
length compared exactly, float for float) and the false needles each detector reports on the
needle-free frames, and exits 1 when an estimate differs. A speed change that is meant to change
nothing is checked with it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from sonocart.imaging import needle as current
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.imaging.scanconvert import Calibration
from sonocart.sim.needle_aim import aimed_needle
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.scenes import SCENES
from sonocart.sim.tissue import TissueScene, default_needle
from tools.bench.needle_ab import _module_at
from tools.bench.needle_matrix import ANGLES, NO_NEEDLE_SEEDS, TIMES_S, needle_free_frames

Frame = tuple[str, str, np.ndarray, Calibration]  # (kind, probe, image, calibration)


def frames() -> Iterator[Frame]:
    """Every frame compared, with its kind: "needle", "needle-free" (seeds 4–6), "extra needle-free"
    (seeds 7–12) or "bench"."""
    for scene in SCENES:
        for probe, g in PROBES.items():
            for angle in ANGLES:
                sim = TissueScene(
                    g, 128, 1024, seed=11, needle=aimed_needle(scene, g, angle), scene_name=scene
                )
                pipe = BModePipeline(800, 600, DisplaySettings())
                for t_s in TIMES_S:
                    yield ("needle", probe, *pipe.process(sim.envelope(t_s, 0), g))
    for kind, seeds in (("needle-free", NO_NEEDLE_SEEDS), ("extra needle-free", (7, 8, 9, 10, 11, 12))):
        for _, probe, image, cal in needle_free_frames(seeds):
            yield (kind, probe, image, cal)
    bare = BModePipeline(800, 600, DisplaySettings())
    for probe, g in PROBES.items():
        for needle, t0 in ((default_needle(g, 35.0), 0.0), (default_needle(g, 35.0), 4.0), (None, 0.0)):
            bench_scene = TissueScene(g, 128, 1024, seed=7, needle=needle, with_needle=needle is not None)
            for k in range(8):
                yield ("bench", probe, *bare.process(bench_scene.envelope(t_s=t0 + 0.1 * k, index=k), g))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.needle_identity", description=__doc__)
    ap.add_argument("rev", help="git revision of the detector to compare with")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = _module_at(args.rev, Path(tmp))
        detectors = {
            name: {probe: module.NeedleDetector() for probe in PROBES}
            for name, module in ((args.rev, old), ("now", current))
        }
        judged: dict[str, int] = {}
        differ: dict[str, int] = {}
        false: dict[str, dict[str, int]] = {name: {} for name in detectors}
        for kind, probe, image, cal in frames():
            found = {}
            for name, per_probe in detectors.items():
                est = per_probe[probe].detect(image, cal, PROBES[probe])
                found[name] = (
                    None if est is None else (est.trajectory, est.angle_deg, est.confidence, est.length_mm)
                )
                if est is not None and kind.endswith("needle-free"):
                    false[name][kind] = false[name].get(kind, 0) + 1
            judged[kind] = judged.get(kind, 0) + 1
            differ[kind] = differ.get(kind, 0) + (found[args.rev] != found["now"])
    for kind, count in judged.items():
        print(f"{kind}: {count} frames, estimates differ on {differ[kind]}")
    for name, per_kind in false.items():
        counts = ", ".join(
            f"{kind} {per_kind.get(kind, 0)}" for kind in judged if kind.endswith("needle-free")
        )
        print(f"false needles, {name}: {counts}")
    return 1 if any(differ.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
