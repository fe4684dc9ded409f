"""Instructions per frame of the needle detector on the bench's 9 sets, counted by callgrind: a figure
that does not move with the machine's load (wall-clock medians on a shared VM move by 50 % or more).

``python -m tools.bench.needle_instructions [REV]`` runs itself under ``valgrind --tool=callgrind``,
collecting only inside :func:`functools.reduce` (through which each set's 8 frames are detected,
after two untimed rounds) and dumping after each call; it prints each set's instructions per frame
and, given ``REV``, those of the detector at ``REV`` (loaded as :mod:`tools.bench.needle_ab` loads
it) on the same frames and the ratio. The frames are the bench's bare images
(:func:`tools.bench.__main__._needle_frames`). Takes some minutes (valgrind runs Python ~50x slower).
"""

from __future__ import annotations

import argparse
import functools
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sonocart.imaging import needle as current
from sonocart.sim.probe_sim import PROBES
from tools.bench.__main__ import _needle_frames
from tools.bench.needle_ab import _module_at


def _inner(rev: str | None) -> None:
    """Under callgrind: each set's frames through each detector, one ``functools.reduce`` each."""
    with tempfile.TemporaryDirectory() as tmp:
        kinds: list[Any] = [current] + ([_module_at(rev, Path(tmp))] if rev else [])
        sets = _needle_frames()
        detectors = [{p: kind.NeedleDetector() for p in PROBES} for kind in kinds]
        for _ in range(2):  # untimed: buffers made, caches filled
            for (probe, _), needle_set in sets.items():
                for by_probe in detectors:
                    for image, cal in needle_set.shown:
                        by_probe[probe].detect(image, cal, PROBES[probe])
        for (probe, _), needle_set in sets.items():
            for by_probe in detectors:
                det, g = by_probe[probe], PROBES[probe]
                functools.reduce(lambda acc, f: (det.detect(f[0], f[1], g), acc)[1], needle_set.shown, 0)


def callgrind(out: Path, module: str, args: Sequence[str], *, dump_each: bool) -> None:
    """``python -m module --inner *args`` under callgrind, counting only inside :func:`functools.reduce`
    (a dump after each call when ``dump_each``) into ``out``; its stderr's tail raised on failure."""
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        "--toggle-collect=functools_reduce",
        *(["--dump-after=functools_reduce"] if dump_each else []),
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        module,
        "--inner",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.bench.needle_instructions", description=__doc__)
    ap.add_argument("rev", nargs="?", help="git revision of the detector to compare with")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.inner:
        _inner(args.rev)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        callgrind(out, "tools.bench.needle_instructions", [*([args.rev] if args.rev else [])], dump_each=True)
        dumps = sorted(Path(tmp).glob("cg.out.*"), key=lambda p: int(p.suffix[1:]))
        counts = []
        for dump in dumps:
            found = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(), re.MULTILINE)
            assert found is not None, dump
            counts.append(int(found.group(1)))
    names = [f"{probe} {kind}" for probe in ("linear", "convex", "phased") for kind in _KINDS]
    per = 2 if args.rev else 1
    if len(counts) != per * len(names):
        raise SystemExit(f"{len(counts)} callgrind dumps, {per * len(names)} expected")
    for i, name in enumerate(names):
        now = counts[per * i] / 8
        line = f"{name:24s} now {now / 1e6:7.3f} M instructions/frame"
        if args.rev:
            old = counts[per * i + 1] / 8
            line += f", {args.rev} {old / 1e6:7.3f} M, ratio {now / old:.4f}"
        print(line)
    return 0


_KINDS = ("needle short", "needle advanced", "no needle")

if __name__ == "__main__":
    sys.exit(main())
