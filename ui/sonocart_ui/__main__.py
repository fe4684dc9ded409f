"""``python -m sonocart_ui --probe PORT``: the cart app process (started by ``sonocart run``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sonocart_ui.kivy_setup import configure_kivy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sonocart_ui")
    parser.add_argument("--probe", required=True, help="probe port (device path or symlink)")
    parser.add_argument(
        "--size", default="1280x800", help="window size WxH (default 1280x800, the 10-inch screen)"
    )
    parser.add_argument("--screenshot", type=Path, help="refresh a screenshot of the window at this path")
    parser.add_argument("--screenshot-every", type=float, default=3.0, metavar="S")
    parser.add_argument("--fullscreen", action="store_true")
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    configure_kivy(w, h, args.fullscreen)

    from sonocart.devices.probe import ProbeClient
    from sonocart_ui.app import CartApp

    probe = ProbeClient(args.probe).start()
    CartApp(
        probe=probe,
        clock=time.monotonic,
        screenshot=args.screenshot,
        screenshot_every_s=args.screenshot_every,
    ).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
