"""Instructions per frame inside single functions of the needle detector, counted by callgrind: where
one of the bench's sets spends its instructions, function by function.

``python -m tools.bench.needle_functions "convex no needle" sonocart.imaging.needle:find_shaft ...``
runs, for each ``module:attribute`` given (the name as the caller looks it up: ``find_shaft`` is
called through :mod:`sonocart.imaging.needle`, ``judge_run`` through
:mod:`sonocart.imaging.needle_shaft`), one process under ``valgrind --tool=callgrind`` that wraps
that callable in :func:`functools.reduce` after two untimed rounds of the set's 8 frames and collects
only inside it while the 8 frames are detected once; ``ALL`` collects the whole of ``detect``, as
:mod:`tools.bench.needle_instructions` does. Each line printed is the callable's inclusive
instructions per frame (a callable called several times a frame: all its calls). The frames are the
bench's bare images (:func:`tools.bench.__main__._needle_frames`, made under valgrind too: about
2 minutes per target).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

FRAMES = 8


def _wrapped(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f``, called inside :func:`functools.reduce` (what callgrind's collection toggles on)."""

    def inside(*args: Any, **kwargs: Any) -> Any:
        return functools.reduce(lambda _, __: f(*args, **kwargs), [0], None)

    return inside


def _inner(name: str, target: str) -> None:
    """Under callgrind: the set ``name``'s frames through a detector, ``target`` wrapped."""
    from sonocart.imaging.needle import NeedleDetector
    from sonocart.sim.probe_sim import PROBES
    from tools.bench.__main__ import _needle_frames

    probe, kind = name.split(" ", 1)
    shown = _needle_frames()[(probe, kind)].shown
    detector, geometry = NeedleDetector(), PROBES[probe]
    for _ in range(2):  # untimed: buffers made, caches filled
        for image, cal in shown:
            detector.detect(image, cal, geometry)
    if target == "ALL":
        functools.reduce(lambda acc, f: (detector.detect(f[0], f[1], geometry), acc)[1], shown, 0)
        return
    module_name, attribute = target.split(":")
    owner: Any = importlib.import_module(module_name)
    *path, last = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, last)
    if isinstance(owner, type) and isinstance(owner.__dict__.get(last), staticmethod):
        setattr(owner, last, staticmethod(_wrapped(original)))
    else:
        setattr(owner, last, _wrapped(original))
    for image, cal in shown:
        detector.detect(image, cal, geometry)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.needle_functions", description=__doc__)
    ap.add_argument("set", help='one of the bench\'s sets, e.g. "convex no needle"')
    ap.add_argument("targets", nargs="+", help="module:attribute of each callable, or ALL")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.inner:
        _inner(args.set, args.targets[0])
        return 0
    from tools.bench.needle_instructions import callgrind

    for target in args.targets:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "cg.out"
            callgrind(out, "tools.bench.needle_functions", [args.set, target], dump_each=False)
            found = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
            assert found is not None, out
        print(f"{args.set:24s} {target:60s} {int(found.group(1)) / FRAMES / 1e6:7.3f} M instructions/frame")
    return 0


if __name__ == "__main__":
    sys.exit(main())
