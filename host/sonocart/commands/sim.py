"""``sonocart sim``: run a simulated probe interface on a pseudo-terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from sonocart.sim.probe_sim import PROBES, serve


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sim", help="run a simulated probe interface on a pseudo-terminal")
    p.add_argument(
        "--link",
        type=Path,
        default=Path("run/probe"),
        help="symlink to create to the pty (default: run/probe)",
    )
    p.add_argument("--probe", choices=sorted(PROBES), default="convex")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--lines", type=int, default=128)
    p.add_argument("--samples", type=int, default=512)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    serve(args.link, args.probe, args.fps, args.lines, args.samples, args.seed)
    return 0
