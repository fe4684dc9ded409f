"""``sonocart update BUNDLE`` (technicians, as root) and ``sonocart selfcheck`` (run by the update)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sonocart.update.layout import Layout


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "update", help="install a signed update bundle (verify, switch, self-check, roll back)"
    )
    p.add_argument("bundle", type=Path, help="the .bundle file")
    p.add_argument("--root", type=Path, default=Path("/"), help="installed root (default /)")
    p.set_defaults(func=_update)
    q = sub.add_parser("selfcheck", help="start-up self-check of this release (exit 0 = fit to run)")
    q.add_argument("--state", type=Path, help="the cart's state directory, whose settings must load")
    q.set_defaults(func=_selfcheck)


def _update(args: argparse.Namespace) -> int:
    from sonocart.update.apply import apply_update
    from sonocart.update.bundle import BundleError
    from sonocart.update.release import ReleaseError

    layout = Layout(args.root.resolve())
    try:
        result = apply_update(args.bundle, layout)
    except (BundleError, ReleaseError, OSError) as exc:
        print(f"update refused: {exc}", file=sys.stderr)
        return 1
    print(result.selfcheck)
    if result.rolled_back:
        print(
            f"update: {result.version} FAILED its self-check; rolled back to {result.previous}",
            file=sys.stderr,
        )
        return 3
    print(
        f"update: {result.version} is current (previous: {result.previous}); "
        "restart: systemctl restart sonocart"
    )
    print(
        f"update: the bundle carries pedal-board firmware {result.firmware_version} in "
        f"{layout.on_target(layout.release(result.version))}/firmware; it is not flashed: a technician "
        "flashes it with `sonocart firmware flash` (docs/install.md)"
    )
    return 0


def _selfcheck(args: argparse.Namespace) -> int:
    from sonocart.update.selfcheck import run_checks

    return 0 if run_checks(args.state) else 1
