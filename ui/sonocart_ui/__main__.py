"""``python -m sonocart_ui --probe PORT [--pedal PORT]``: the cart app (started by ``sonocart run``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sonocart.cart.startup import add_cart_arguments, cart_from_arguments
from sonocart_ui.kivy_setup import configure_kivy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sonocart_ui")
    add_cart_arguments(parser)
    parser.add_argument("--pedal-control", type=Path, help="simulated board's control socket (keys A/B)")
    parser.add_argument(
        "--size", default="1280x800", help="window size WxH (default 1280x800, the 10-inch screen)"
    )
    parser.add_argument("--screenshot", type=Path, help="refresh a screenshot of the window at this path")
    parser.add_argument("--screenshot-every", type=float, default=3.0, metavar="S")
    parser.add_argument("--fullscreen", action="store_true")
    args = parser.parse_args(argv)
    # Settings and catalogue first, before Kivy opens anything: an invalid file stops start-up untouched.
    cart = cart_from_arguments(args)
    if cart is None:
        return 2
    w, h = (int(v) for v in args.size.lower().split("x"))
    configure_kivy(w, h, args.fullscreen)

    from sonocart.sim.pedal_service import SimPedalRemote
    from sonocart_ui.app import CartApp

    cart.start()
    if args.resume is not None:  # the record a crash or power cut left open (sonocart cart finds it)
        try:
            cart.resume(args.resume)
        except Exception as exc:  # a record that cannot be resumed must not keep the cart from starting
            print(f"sonocart: record {args.resume.name} not resumed ({type(exc).__name__})", file=sys.stderr)
    remote = SimPedalRemote(args.pedal_control).command if args.pedal_control else None
    CartApp(
        cart=cart,
        pedal_remote=remote,
        screenshot=args.screenshot,
        screenshot_every_s=args.screenshot_every,
    ).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
