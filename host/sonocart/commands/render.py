"""``sonocart render``: scan-convert a frame file to a PNG and its calibration JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sonocart.imaging.frame_file import FrameFileError
from sonocart.imaging.pipeline import DisplaySettings
from sonocart.imaging.render import render_file


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("render", help="render a frame file (.npz) to PNG + calibration JSON")
    p.add_argument("frame", type=Path, help="frame file (.npz with 'lines' and 'geometry')")
    p.add_argument(
        "-o", "--output", type=Path, required=True, help="output PNG; OUT.json is written beside it"
    )
    p.add_argument("--width", type=int, default=800)
    p.add_argument("--height", type=int, default=600)
    p.add_argument("--dynamic-range", type=float, default=60.0, metavar="DB")
    p.add_argument("--gain", type=float, default=0.0, metavar="DB")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.width < 16 or args.height < 16:
        print("render: --width and --height must be at least 16 px", file=sys.stderr)
        return 2
    if args.dynamic_range <= 0:
        print("render: --dynamic-range must be positive", file=sys.stderr)
        return 2
    settings = DisplaySettings(dynamic_range_db=args.dynamic_range, gain_db=args.gain)
    try:
        cal = render_file(args.frame, args.output, args.width, args.height, settings)
    except (FrameFileError, OSError) as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a geometry or line shape the pipeline cannot image at this size
        print(f"render: {args.frame}: cannot be rendered: {exc}", file=sys.stderr)
        return 1
    print(f"{args.output} ({cal.width_px}x{cal.height_px}, {cal.mm_per_px:.4f} mm/px)")
    return 0
