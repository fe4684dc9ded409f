"""``sonocart run``: the cart app, on simulated devices when no hardware is attached."""

from __future__ import annotations

import argparse
from pathlib import Path

from sonocart.launch.launcher import RunOptions, run


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="start the cart app (simulated devices when none are attached)")
    p.add_argument(
        "--probe", metavar="PORT", help="probe interface port (default: found by USB VID:PID, else simulated)"
    )
    p.add_argument(
        "--run-dir", type=Path, default=Path("run"), help="where pty links and screenshots go (default: run/)"
    )
    p.add_argument("--size", default="1280x800", help="window size WxH (7-inch: 800x480, 10-inch: 1280x800)")
    p.add_argument(
        "--screenshot-every", type=float, default=3.0, metavar="S", help="headless screenshot period"
    )
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument(
        "--pedal", metavar="PORT", help="pedal board port (default: found by USB VID:PID, else simulated)"
    )
    p.add_argument("--site-file", type=Path, help="site catalogue defaults (observation time, pauses...)")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no window: the same cart core driven by JSON lines on stdin/stdout (docs/headless.md)",
    )
    p.add_argument(
        "--resume", type=Path, metavar="RECORD", help="headless: resume this record folder at start"
    )
    p.add_argument("--status-every", type=float, default=1.0, metavar="S", help="headless status line period")
    p.add_argument(
        "--demo",
        action="store_true",
        help="on simulated devices with an empty roster: the demo team (PIN 1234), said so on screen",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return run(
        RunOptions(
            args.run_dir,
            args.probe,
            args.size,
            args.screenshot_every,
            args.fullscreen,
            pedal=args.pedal,
            site_file=args.site_file,
            headless=args.headless,
            resume=args.resume,
            status_every_s=args.status_every,
            demo=args.demo,
        )
    )
