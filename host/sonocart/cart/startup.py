"""Build the cart a process runs (the touchscreen app or the headless service) from its ports and files.

The one place start-up reads settings and the catalogue: a bad settings file or site file stops start-up
with one line naming the file and what is wrong (:class:`StartupError`), and nothing is written."""

from __future__ import annotations

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
        follower = SceneFollower(probe_control)

        def follow(event: CartEvent) -> None:
            if isinstance(event, RecordOpened):
                follower.show_procedure(event.procedure)

        cart.subscribe(follow)
    return cart
