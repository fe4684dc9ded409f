"""Needle detector of this tree against the one at an earlier git revision, interleaved on the same frames.

``python -m tools.bench.needle_ab REV`` loads ``host/sonocart/imaging/needle.py`` as it was at
``REV`` with its ``needle_*`` modules of then (``git show``; anything else it
imports must still exist) next to today's, pins one
core and calls both in turn on 6 frames per case (:data:`CASES`), 15 rounds: min and median ms per call, and
whether each found a needle in the first frame. docs/imaging.md quotes ``6733a17``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from sonocart.imaging import needle as current
from sonocart.imaging.pipeline import BModePipeline, DisplaySettings
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.tissue import TissueScene, default_needle

#: (probe, time, whether the scene has a needle): the needle short (t = 0) and fully advanced (t = 4 s),
#: and each probe's scene without a needle (every candidate line judged and rejected).
CASES = (
    ("convex", 0.0, True),
    ("convex", 4.0, True),
    ("linear", 0.0, True),
    ("phased", 0.0, True),
    ("linear", 4.0, True),
    ("phased", 4.0, True),
    ("linear", 0.0, False),
    ("convex", 0.0, False),
    ("phased", 0.0, False),
)


def _module_at(rev: str, where: Path) -> ModuleType:
    """``needle.py`` at ``rev``, with the ``needle_*`` modules it imported at ``rev``."""
    # (in the order they import each other)
    siblings = (
        "needle_buffers",
        "needle_runs",
        "needle_lines",
        "needle_masks",
        "needle_shadow",
        "needle_scan",
        "needle_end",
        "needle_tip",
        "needle_judge",
        "needle_shaft",
    )
    module: ModuleType | None = None
    for name in (*siblings, "needle"):
        shown = subprocess.run(
            ["git", "show", f"{rev}:host/sonocart/imaging/{name}.py"], capture_output=True, text=True
        )
        if shown.returncode != 0:
            if name == "needle":
                raise SystemExit(shown.stderr)
            continue  # not there at that revision (the detector did not use it yet)
        text = shown.stdout
        for sibling in siblings:
            text = text.replace(f"sonocart.imaging.{sibling} import", f"{sibling}_{rev} import")
        path = where / f"{name}_{rev}.py"
        path.write_text(text)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # (dataclasses look their module up while it loads)
        spec.loader.exec_module(module)
    assert module is not None
    return module


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.needle_ab", description=__doc__)
    ap.add_argument("rev", help="git revision of the detector to compare with")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    with tempfile.TemporaryDirectory() as tmp:
        old = _module_at(args.rev, Path(tmp))
        detectors = {args.rev: old.NeedleDetector(), "now": current.NeedleDetector()}
        for probe, t0, with_needle in CASES:
            g = PROBES[probe]
            needle = default_needle(g, 35.0) if with_needle else None
            scene = TissueScene(g, 128, 1024, seed=7, needle=needle, with_needle=with_needle)
            bare = BModePipeline(800, 600, DisplaySettings())
            frames = []
            for k in range(6):
                image, cal = bare.process(scene.envelope(t0 + 0.1 * k, k), g)
                frames.append(image.copy())
            times: dict[str, list[float]] = {name: [] for name in detectors}
            for _ in range(15):
                for image in frames:
                    for name, det in detectors.items():
                        t = time.perf_counter()
                        det.detect(image, cal, g)
                        times[name].append((time.perf_counter() - t) * 1e3)
            cells = [
                f"{name} {min(ts):.2f} / {statistics.median(ts):.2f} ms"
                f" ({'found' if detectors[name].detect(frames[0], cal, g) else 'none'})"
                for name, ts in times.items()
            ]
            what = f"t={t0:g} s" if with_needle else "no needle"
            print(f"{probe} {what}: " + ", ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
