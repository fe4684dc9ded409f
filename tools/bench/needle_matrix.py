"""Needle enhancement accuracy on every scene × probe × angle, and false needles on needle-free frames.

The same cases as ``tests/imaging/test_needle_detection.py`` (seed 11, the needle aimed as the
block is done, :func:`~sonocart.sim.needle_aim.aimed_needle`, in the 20°, 35°, 60°, 150° families —
a cell shows the angle used where the family's own cannot be — frames at 2.5 s and 4 s), judged
against the simulator's own needle (``TissueScene.needle``): *pass* = tip within 2 mm and angle
within 3° at both depths, *off* = found but outside that, *none* = not found at either depth.
Then needle-free frames at three seeds, three gain settings and three times per scene × probe:
every estimate there is a false needle.
``python -m tools.bench.needle_matrix`` prints the markdown tables of docs/imaging.md.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator

import numpy as np

from sonocart.imaging.needle import NeedleDetector
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.imaging.scanconvert import Calibration
from sonocart.sim.needle_aim import aimed_needle
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.scenes import SCENES
from sonocart.sim.tissue import TissueScene

ANGLES = (20.0, 35.0, 60.0, 150.0)
TIMES_S = (2.5, 4.0)
NO_NEEDLE_SEEDS = (4, 5, 6)
NO_NEEDLE_TIMES_S = (0.0, 1.0, 3.3)


def _settings() -> list[DisplaySettings]:
    return [
        DisplaySettings(),
        DisplaySettings(gain_db=8.0, tgc_db=(0, 0, 2, 4, 6, 8, 10, 12)),
        DisplaySettings(gain_db=10.0),
    ]


def accuracy() -> tuple[dict[tuple[str, str, float], str], list[float], list[float]]:
    """Verdict per case (with the angle used where it is not the family's), and the tip and angle
    errors of the frames in passing cases."""
    detector = NeedleDetector()
    verdicts: dict[tuple[str, str, float], str] = {}
    tips: list[float] = []
    angles: list[float] = []
    for scene in SCENES:
        for probe, g in PROBES.items():
            for angle in ANGLES:
                path = aimed_needle(scene, g, angle)
                sim = TissueScene(g, 128, 1024, seed=11, needle=path, scene_name=scene)
                assert sim.needle is not None
                truth = sim.needle.angle_deg
                pipe = BModePipeline(800, 600, DisplaySettings())
                found, good, errors = 0, 0, []
                for t_s in TIMES_S:
                    image, cal = pipe.process(sim.envelope(t_s, 0), g)
                    est = detector.detect(image, cal, g)
                    if est is None:
                        continue
                    found += 1
                    tip = math.dist(est.tip_mm, sim.needle.tip_mm(t_s))
                    off = abs(est.angle_deg - truth)
                    good += tip <= 2.0 and off <= 3.0 and est.confidence >= 0.5
                    errors.append((tip, off))
                verdict = "pass" if good == len(TIMES_S) else ("none" if found == 0 else "off")
                verdicts[(scene, probe, angle)] = verdict if truth == angle else f"{verdict} ({truth:g}°)"
                if verdict == "pass":
                    tips += [e[0] for e in errors]
                    angles += [e[1] for e in errors]
    return verdicts, tips, angles


def needle_free_frames(
    seeds: tuple[int, ...] = NO_NEEDLE_SEEDS,
) -> Iterator[tuple[str, str, np.ndarray, Calibration]]:
    """(scene, probe, image, calibration) of every needle-free frame: per scene × probe × seed, the
    three gain settings and three times."""
    for scene in SCENES:
        for probe, g in PROBES.items():
            for seed in seeds:
                sim = TissueScene(g, 128, 1024, seed=seed, with_needle=False, scene_name=scene)
                for settings in _settings():
                    pipe = BModePipeline(800, 600, settings)
                    for t_s in NO_NEEDLE_TIMES_S:
                        yield (scene, probe, *pipe.process(sim.envelope(t_s, 2), g))


def false_needles() -> tuple[int, int, dict[tuple[str, str], int]]:
    """(frames with an estimate, frames judged, estimates per scene and probe) over the needle-free frames."""
    detector = NeedleDetector()
    false, judged = 0, 0
    where: dict[tuple[str, str], int] = {}
    for scene, probe, image, cal in needle_free_frames():
        judged += 1
        if detector.detect(image, cal, PROBES[probe]) is not None:
            false += 1
            where[(scene, probe)] = where.get((scene, probe), 0) + 1
    return false, judged, where


def main() -> None:
    verdicts, tips, angles = accuracy()
    print("| scene | probe | " + " | ".join(f"{a:g}°" for a in ANGLES) + " |")
    print("|---|---|" + "---|" * len(ANGLES))
    for scene in SCENES:
        for probe in PROBES:
            print(f"| {scene} | {probe} | " + " | ".join(verdicts[(scene, probe, a)] for a in ANGLES) + " |")
    passed = sum(v.startswith("pass") for v in verdicts.values())
    tip_text = f"tip error median {statistics.median(tips):.2f} mm, max {max(tips):.2f} mm"
    angle_text = f"angle error median {statistics.median(angles):.2f}°, max {max(angles):.2f}°"
    print(f"\n{passed} of {len(verdicts)} cases pass; in them {tip_text}; {angle_text}")
    false, judged, where = false_needles()
    print(f"\nfalse needles: {false} of {judged} needle-free frames")
    for (scene, probe), count in sorted(where.items()):
        print(f"  {scene} {probe}: {count}")


if __name__ == "__main__":
    main()
