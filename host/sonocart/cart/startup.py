"""Build the cart a process runs (the touchscreen app or the headless service) from its ports and files.

The one place start-up reads settings and the catalogue: a bad settings file or site file stops start-up
with one line naming the file and what is wrong (:class:`StartupError`), and nothing is written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent, RecordOpened
from sonocart.cart.settings import SettingsError, load_settings
from sonocart.clock import SystemClock
from sonocart.devices.pedal import PedalBoard
from sonocart.devices.probe import ProbeClient
from sonocart.procedures.catalogue import CatalogueError, load_catalogue
from sonocart.sim.scene_follower import SceneFollower


class StartupError(Exception):
    """The cart cannot start as configured; the message is one line for the person at the cart."""


def build_cart(
    *,
    probe_port: str,
    pedal_port: str | None,
    records_root: Path,
    settings_path: Path,
    site_file: Path | None = None,
    demo: bool = False,
    probe_control: Path | None = None,
) -> Cart:
    """The cart on these ports (not started: call ``start()``), or StartupError.

    ``probe_control``: a simulated probe's control socket; its scene then follows the open procedure."""
    try:
        settings = load_settings(settings_path, demo=demo)
    except SettingsError as exc:
        raise StartupError(str(exc)) from exc
    try:
        catalogue = load_catalogue(site_file=site_file)
    except CatalogueError as exc:
        where = f"{site_file}: " if site_file is not None else "catalogue: "
        raise StartupError(where + str(exc)) from exc
    cart = Cart(
        catalogue=catalogue,
        records_root=records_root,
        clock=SystemClock(),
        settings=settings,
        settings_path=settings_path,
        probe=ProbeClient(probe_port),
        pedal=PedalBoard(pedal_port) if pedal_port else None,
    )
    if probe_control is not None:
        follow_scenes(cart, probe_control)
    return cart


def follow_scenes(cart: Cart, probe_control: Path) -> SceneFollower:
    """Keep a simulated probe's scene on the procedure the cart opens (simulated devices only)."""
    follower = SceneFollower(probe_control)

    def follow(event: CartEvent) -> None:
        if isinstance(event, RecordOpened):
            follower.show_procedure(event.procedure)

    cart.subscribe(follow)
    return follower


def add_cart_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every cart process takes (touchscreen and headless): ports, files, demo, resume."""
    parser.add_argument("--probe", required=True, help="probe port (device path or symlink)")
    parser.add_argument("--pedal", help="pedal board port (none: the cart runs without pedals, and says so)")
    parser.add_argument("--probe-control", type=Path, help="simulated probe's control socket (scene follows)")
    parser.add_argument("--records", type=Path, default=Path("run/records"), help="procedure records root")
    parser.add_argument("--settings", type=Path, default=Path("run/settings.json"), help="cart settings file")
    parser.add_argument("--site-file", type=Path, help="site catalogue defaults")
    parser.add_argument(
        "--demo", action="store_true", help="with an empty roster, the demo team (PIN 1234), said on screen"
    )
    parser.add_argument("--resume", type=Path, help="re-open this record at start (after a restart)")


def cart_from_arguments(args: argparse.Namespace) -> Cart | None:
    """The cart :func:`add_cart_arguments` describes, or None after one line on stderr (exit 2)."""
    try:
        return build_cart(
            probe_port=args.probe,
            pedal_port=args.pedal,
            records_root=args.records,
            settings_path=args.settings,
            site_file=args.site_file,
            demo=args.demo,
            probe_control=args.probe_control,
        )
    except StartupError as exc:
        print(f"sonocart: {exc}", file=sys.stderr)
        return None
