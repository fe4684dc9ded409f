"""``python3 -m tools.install install|uninstall --root DIR``: the cart's files, user, state and service.

Runs with the system Python (stdlib only, ``PYTHONPATH=host``) from a checkout. ``--root`` installs into
a prefix exactly as onto a cart (tests use a throwaway one); with the root "/" it also reloads systemd and
udev and enables the service. Nothing is downloaded here: the wheel set comes from ``make wheels``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from sonocart.update import release
from sonocart.update.layout import UNIT_NAME, Layout

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
UDEV_RULES = REPO / "hardware" / "udev" / "99-sonocart.rules"


class InstallError(RuntimeError):
    pass


def _copy(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(src, tmp)
    tmp.chmod(mode)
    tmp.replace(dest)


def _run(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise InstallError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")


def _root_args(layout: Layout) -> list[str]:
    return [] if layout.root == Path("/") else [f"--root={layout.root}"]


def system_files(layout: Layout, release_keys: list[Path]) -> None:
    """Unit, sysusers, tmpfiles and udev files; then the user and the state directory from them."""
    _copy(PACKAGING / "systemd" / UNIT_NAME, layout.unit)
    _copy(PACKAGING / "sysusers.d" / "sonocart.conf", layout.sysusers)
    _copy(PACKAGING / "tmpfiles.d" / "sonocart.conf", layout.tmpfiles)
    _copy(UDEV_RULES, layout.udev_rules)
    _run(["systemd-sysusers", *_root_args(layout), str(layout.sysusers)])
    _run(["systemd-tmpfiles", "--create", *_root_args(layout), str(layout.tmpfiles)])
    for key in release_keys:
        _copy(key, layout.release_keys / key.name)


def app_release(layout: Layout, wheels_dir: Path, version: str | None, sbom: Path | None = None) -> str:
    """Build the versioned virtualenv from the wheel set (checked against the lock) and switch to it."""
    wheels = sorted(wheels_dir.glob("*.whl"))
    app_version = release.check_wheel_set(wheels, release.read_lock(PACKAGING / "requirements.lock"))
    name = version or app_version
    dest = release.build_release(layout, name, wheels)
    _copy(PACKAGING / "requirements.lock", dest / "requirements.lock")
    if sbom is not None:
        _copy(sbom, dest / "sbom.cdx.json")  # what this release contains, for the hospital's review
    release.mark_complete(dest)
    release.switch(layout, name)
    return name


def enable(layout: Layout) -> None:
    if layout.root == Path("/"):
        _run(["systemctl", "daemon-reload"])
        _run(["udevadm", "control", "--reload"])
    _run(["systemctl", *_root_args(layout), "enable", UNIT_NAME])


def install(
    layout: Layout, wheels_dir: Path, version: str | None, release_keys: list[Path], sbom: Path | None = None
) -> str:
    system_files(layout, release_keys)
    name = app_release(layout, wheels_dir, version, sbom)
    enable(layout)
    return name


def uninstall(layout: Layout, purge: bool) -> None:
    """Remove what ``install`` added; records, settings and keys (and their owner) stay unless ``purge``."""
    if layout.unit.exists():
        if layout.root == Path("/"):
            subprocess.run(["systemctl", "disable", "--now", UNIT_NAME], check=False)
        else:
            _run(["systemctl", *_root_args(layout), "disable", UNIT_NAME])
    for path in (layout.unit, layout.tmpfiles, layout.udev_rules):
        path.unlink(missing_ok=True)
    shutil.rmtree(layout.app, ignore_errors=True)
    shutil.rmtree(layout.etc, ignore_errors=True)
    if purge:
        shutil.rmtree(layout.state, ignore_errors=True)
        subprocess.run(
            ["userdel", *(["--root", str(layout.root)] if layout.root != Path("/") else []), "sonocart"],
            capture_output=True,
            check=False,
        )
        layout.sysusers.unlink(missing_ok=True)
    if layout.root == Path("/"):
        subprocess.run(["systemctl", "daemon-reload"], check=False)
        subprocess.run(["udevadm", "control", "--reload"], check=False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m tools.install", description=__doc__)
    p.add_argument("action", choices=("install", "uninstall"))
    p.add_argument("--root", type=Path, default=Path("/"), help="install under this prefix (default /)")
    p.add_argument("--wheels", type=Path, default=REPO / "build" / "wheels", help="the wheel set")
    p.add_argument("--version", help="release directory name (default: the sonocart wheel's version)")
    p.add_argument("--release-key", type=Path, action="append", default=[], help="public key (PEM)")
    p.add_argument("--sbom", type=Path, help="the release's CycloneDX SBOM (make sbom), kept with it")
    p.add_argument("--purge", action="store_true", help="uninstall: also delete records and the user")
    args = p.parse_args(argv)
    layout = Layout(args.root.resolve())
    try:
        if args.action == "install":
            name = install(layout, args.wheels, args.version, args.release_key, args.sbom)
            print(f"sonocart {name} installed under {layout.root}; records in {layout.state}")
        else:
            uninstall(layout, args.purge)
            kept = "deleted" if args.purge else "kept"
            print(f"sonocart removed from {layout.root}; records in {layout.state} {kept}")
    except (InstallError, release.ReleaseError, OSError) as exc:
        print(f"install: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
