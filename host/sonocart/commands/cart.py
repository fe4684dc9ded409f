"""``sonocart cart``: the installed cart's start (systemd's ExecStart), full-screen on the real devices.

Unlike ``sonocart run`` it never simulates a device: the probe and the pedal board are taken by their udev
names (``hardware/udev/99-sonocart.rules``) and a missing one is shown as such by the app. Records,
settings and the cart key live in the state directory. The settings are checked first (an invalid file
stops here, exit status 2, which the unit does not restart in a loop); then the cart key is made on the
first start, the record left open by a crash or power cut is found, and this process becomes the app
(``exec``: the same PID, so systemd's ``NotifyAccess=main`` hears the core's watchdog pings).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from sonocart.cart.cart_key import cart_key_dir, ensure_cart_key
from sonocart.cart.restart import open_record
from sonocart.cart.settings import SettingsError, load_settings
from sonocart.clock import SystemClock
from sonocart.logs import setup_logging
from sonocart.procedures.catalogue import load_catalogue

log = logging.getLogger("sonocart.cart.service")
PROBE_DEVICE = "/dev/sonocart-probe"
PEDAL_DEVICE = "/dev/sonocart-pedal"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cart", help="the installed cart (systemd): full-screen on the real devices")
    p.add_argument("--state", type=Path, default=Path("/var/lib/sonocart"), help="records, settings, keys")
    p.add_argument("--probe", default=PROBE_DEVICE, help=f"probe port (default {PROBE_DEVICE})")
    p.add_argument("--pedal", default=PEDAL_DEVICE, help=f"pedal board port (default {PEDAL_DEVICE})")
    p.add_argument("--dry-run", action="store_true", help="print the app's command line instead of exec")
    p.set_defaults(func=_cart)


def app_argv(args: argparse.Namespace) -> list[str] | None:
    """Prepare the state directory and return the app's command line (None: do not start)."""
    settings_path = args.state / "settings.json"
    try:
        settings = load_settings(settings_path, demo=False)
    except SettingsError as exc:
        log.error("%s", exc)
        return None
    key = ensure_cart_key(args.state)
    os.environ["SONOCART_KEY_DIR"] = str(cart_key_dir(args.state))  # the app's journal signs with this key
    log.info("cart key %s", key)
    records = args.state / "records"
    argv = [sys.executable, "-m", "sonocart_ui", "--probe", args.probe, "--pedal", args.pedal]
    argv += ["--records", str(records), "--settings", str(settings_path)]
    argv += ["--size", settings.screen_size, "--fullscreen"]
    resume = open_record(records, load_catalogue(), SystemClock())
    if resume is not None:
        log.info("resuming the open record %s", resume.name)
        argv += ["--resume", str(resume)]
    if not settings.operators:
        log.info("no operators yet: the cart asks for the first administrator and PIN")
    return argv


def _cart(args: argparse.Namespace) -> int:
    setup_logging()
    os.umask(0o077)  # as the unit's UMask=0077, also when started by hand: the app inherits it
    argv = app_argv(args)
    if argv is None:
        return 2
    if args.dry_run:
        print(" ".join(argv))
        return 0
    os.execv(argv[0], argv)
    return 1  # not reached: exec replaces this process
