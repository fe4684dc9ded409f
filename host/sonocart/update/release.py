"""Versioned releases side by side, and the atomic switch between them.

A release is a virtualenv in ``releases/<version>/`` built offline from a wheel set that matches the
hashed lock file (``packaging/requirements.lock``) name for name and version for version. The lock's
hashes are checked by pip when the wheel set is fetched (``make wheels``: ``pip wheel --require-hashes``);
from there on the set is carried by SHA-256 in the signed bundle manifest (:mod:`sonocart.update.bundle`),
because a wheel built locally from a hashed sdist has a hash no lock can know in advance.

A release counts only once its ``.complete`` marker is written, the last step; a half-built one left by a
power cut is removed and rebuilt. ``current`` and ``previous`` are relative symlinks replaced with
``os.replace`` (one rename: a reader sees the old or the new target, never neither).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sonocart.update.layout import Layout

COMPLETE = ".complete"
APP_DIST = "sonocart"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_VERSION_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")


class ReleaseError(RuntimeError):
    """The release cannot be installed or switched to; the message says which file or step."""


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def check_version_name(version: str) -> str:
    if not _VERSION_NAME.match(version) or version in (".", ".."):
        raise ReleaseError(f"version {version!r} cannot name a release directory")
    return version


def read_lock(path: Path) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` pin in a pip-compile lock file."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            pins[normalize(m.group(1))] = m.group(2)
    if not pins:
        raise ReleaseError(f"{path}: no pinned requirements")
    return pins


def wheel_identity(wheel: Path) -> tuple[str, str]:
    """(normalized name, version) from a wheel's file name (PEP 427: name-version-[build-]py-abi-plat)."""
    parts = wheel.name.removesuffix(".whl").split("-")
    if not wheel.name.endswith(".whl") or len(parts) not in (5, 6):
        raise ReleaseError(f"{wheel.name}: not a wheel file name")
    return normalize(parts[0]), parts[1]


def check_wheel_set(wheels: Sequence[Path], pins: dict[str, str]) -> str:
    """The set must be the lock exactly, plus the app's own wheel; returns the app's version."""
    found: dict[str, str] = {}
    for wheel in wheels:
        name, version = wheel_identity(wheel)
        if name in found:
            raise ReleaseError(f"two wheels for {name}: {found[name]} and {version}")
        found[name] = version
    app = found.pop(APP_DIST, None)
    if app is None:
        raise ReleaseError("the wheel set has no sonocart wheel")
    missing = sorted(set(pins) - set(found))
    extra = sorted(set(found) - set(pins))
    wrong = sorted(f"{n} {found[n]} (lock: {pins[n]})" for n in set(pins) & set(found) if found[n] != pins[n])
    if missing or extra or wrong:
        raise ReleaseError(
            "wheel set does not match the lock file:"
            + (f" missing {', '.join(missing)};" if missing else "")
            + (f" not in the lock {', '.join(extra)};" if extra else "")
            + (f" wrong version {', '.join(wrong)};" if wrong else "")
        )
    return app


def is_complete(release: Path) -> bool:
    return (release / COMPLETE).is_file()


def build_release(layout: Layout, version: str, wheels: Sequence[Path], python: str = sys.executable) -> Path:
    """Build ``releases/<version>`` as a virtualenv holding exactly ``wheels``, offline; return its path."""
    dest = layout.release(check_version_name(version))
    if is_complete(dest):
        raise ReleaseError(f"{version} is already installed at {dest}")
    if dest.exists():
        shutil.rmtree(dest)  # half-built by an interrupted install: never switched to, safe to redo
    layout.releases.mkdir(parents=True, exist_ok=True)
    _run([python, "-m", "venv", str(dest)], f"creating the virtualenv {dest}")
    # Isolated (-I): with a source tree on the caller's PYTHONPATH, pip took its sonocart for installed
    # and left it out of the release.
    pip = [str(dest / "bin" / "python"), "-I", "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run(
        [*pip, "install", "--quiet", "--no-index", "--no-deps", "--no-cache-dir", *map(str, wheels)],
        f"installing the wheel set into {dest}",
    )
    _run([*pip, "check"], f"checking the dependencies in {dest}")
    _relocate(dest, layout.on_target(dest))
    return dest


def mark_complete(release: Path) -> None:
    (release / COMPLETE).write_text("")


def _run(argv: list[str], what: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull  # only the wheel set given: no index, no site config
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise ReleaseError(f"{what} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")


def _relocate(built: Path, on_target: Path) -> None:
    """Scripts name their interpreter by absolute path: under a root prefix, rewrite it as booted."""
    if built == on_target:
        return
    old, new = str(built).encode(), str(on_target).encode()
    for path in [*sorted((built / "bin").iterdir()), built / "pyvenv.cfg"]:
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if old in data:
            path.write_bytes(data.replace(old, new))


def current_version(layout: Layout) -> str | None:
    return _target(layout.current)


def previous_version(layout: Layout) -> str | None:
    return _target(layout.previous)


def _target(link: Path) -> str | None:
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def _point(link: Path, version: str) -> None:
    tmp = link.with_name(f".{link.name}.new-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("releases") / version)
    os.replace(tmp, link)  # atomic: the old link or the new one, never none
    _sync_dir(link.parent)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch(layout: Layout, version: str) -> str | None:
    """Make ``version`` current (and the old current ``previous``); returns the version switched from."""
    if not is_complete(layout.release(check_version_name(version))):
        raise ReleaseError(f"{version} is not a complete release under {layout.releases}")
    old = current_version(layout)
    if old == version:
        return old
    if old is not None:
        _point(layout.previous, old)
    _point(layout.current, version)
    return old


def roll_back(layout: Layout, failed: str) -> str:
    """Point ``current`` back at ``previous`` after ``failed`` did not pass its self-check."""
    prev = previous_version(layout)
    if prev is None or not is_complete(layout.release(prev)):
        raise ReleaseError(f"no previous release to roll back to from {failed}")
    _point(layout.current, prev)
    return prev
