"""``sonocart sim``: run a simulated probe interface on a pseudo-terminal (live scene, recording, replay)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sonocart.sim.probe_sim import PROBES, SimOptions, serve
from sonocart.sim.recording import RecordingError
from sonocart.sim.scenes import DEFAULT_SCENE, SCENES
from sonocart.sim.tissue import FORMATS


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sim", help="run a simulated probe interface on a pseudo-terminal")
    p.add_argument(
        "--link",
        type=Path,
        default=Path("run/probe"),
        help="symlink to create to the pty (default: run/probe)",
    )
    p.add_argument(
        "--probe", choices=sorted(PROBES), default="convex", help="linear 38 mm, convex R40 60°, phased 90°"
    )
    p.add_argument(
        "--depth", type=float, default=None, metavar="MM", help="imaging depth (default: the probe's)"
    )
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--lines", type=int, default=128)
    p.add_argument("--samples", type=int, default=512)
    p.add_argument("--format", choices=FORMATS, default="u16", help="sample format on the link")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--needle-angle", type=float, default=30.0, metavar="DEG", help="insertion angle (0 < DEG < 180)"
    )
    p.add_argument("--no-needle", action="store_true", help="no needle in the scene")
    p.add_argument(
        "--scene", choices=sorted(SCENES), default=DEFAULT_SCENE, help="anatomy shown (see docs/imaging.md)"
    )
    p.add_argument("--control", type=Path, metavar="PATH", help="UNIX socket to switch scenes while running")
    p.add_argument("--record", type=Path, metavar="FILE", help="record the raw link traffic to FILE")
    p.add_argument("--replay", type=Path, metavar="FILE", help="serve the frames of a recording instead")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.fps <= 0 or args.lines < 2 or args.samples < 2:
        print("sim: --fps must be positive, --lines and --samples at least 2", file=sys.stderr)
        return 2
    if not args.no_needle and not 0 < args.needle_angle < 180:
        print("sim: --needle-angle must be between 0 and 180 degrees", file=sys.stderr)
        return 2
    options = SimOptions(
        probe=args.probe,
        fps=args.fps,
        n_lines=args.lines,
        n_samples=args.samples,
        seed=args.seed,
        depth_mm=args.depth,
        sample_format=args.format,
        needle_angle_deg=None if args.no_needle else args.needle_angle,
        scene=args.scene,
        control=args.control,
        record=args.record,
        replay=args.replay,
    )
    try:
        serve(args.link, options)
    except (RecordingError, OSError) as exc:
        print(f"sim: {exc}", file=sys.stderr)
        return 1
    return 0
