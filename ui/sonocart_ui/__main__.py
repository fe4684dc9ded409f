"""``python -m sonocart_ui --probe PORT``: the cart app process (started by ``sonocart run``)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _configure_kivy() -> None:
    # Kivy reads its own argv and writes ~/.kivy unless told otherwise.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault(
        "KIVY_HOME", str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sonocart-kivy")
    )


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
    _configure_kivy()
    w, h = (int(v) for v in args.size.lower().split("x"))
    from kivy.config import Config

    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("graphics", "fullscreen", "auto" if args.fullscreen else "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")

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
