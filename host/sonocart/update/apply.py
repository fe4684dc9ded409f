"""``sonocart update BUNDLE``: verify, install side by side, switch, self-check, roll back on failure.

1. The bundle is verified against the installed release keys (signature, then every member's SHA-256)
   into a staging folder beside the releases; a refused bundle leaves no trace.
2. The wheel set is checked against the bundle's own lock file and built into ``releases/<version>``
   (offline); the firmware build, SBOM, lock and manifest go beside it.
3. ``current`` is switched to it in one rename (the old one becomes ``previous``), then the new release's
   own interpreter runs ``sonocart selfcheck`` against the cart's state directory.
4. A failed check switches ``current`` back to the previous release and deletes the new one.

Firmware in a bundle is never flashed here: the technician flashes it (``sonocart firmware flash``).
The service is restarted by the caller (``systemctl restart sonocart``; the command prints it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sonocart.update import release
from sonocart.update.bundle import (
    LOCK,
    MANIFEST,
    SBOM,
    SIGNATURE,
    BundleError,
    load_public_keys,
    verify_bundle,
)
from sonocart.update.layout import Layout

SELFCHECK_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class UpdateResult:
    version: str
    previous: str | None
    firmware_version: str
    selfcheck: str
    rolled_back: bool


def selfcheck(layout: Layout, version: str) -> tuple[bool, str]:
    """Run ``sonocart selfcheck`` with ``version``'s own interpreter; (passed, its output).

    Isolated (``-I``): a PYTHONPATH or user site of whoever runs the update must not stand in for the
    release's own code (a source tree on PYTHONPATH passed a release whose catalogue did not load)."""
    python = layout.release(version) / "bin" / "python"
    try:
        proc = subprocess.run(
            [str(python), "-I", "-m", "sonocart", "selfcheck", "--state", str(layout.state)],
            capture_output=True,
            text=True,
            timeout=SELFCHECK_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"self-check did not run: {exc}"
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def apply_update(
    bundle: Path,
    layout: Layout,
    check: Callable[[Layout, str], tuple[bool, str]] = selfcheck,
) -> UpdateResult:
    keys = load_public_keys(layout.release_keys)
    layout.releases.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=layout.app))
    try:
        manifest = verify_bundle(bundle, keys, staging)
        version = release.check_version_name(manifest.version)
        if release.current_version(layout) == version:
            raise BundleError(f"{version} is already the current release")
        wheels = sorted((staging / "wheels").glob("*.whl"))
        app_version = release.check_wheel_set(wheels, release.read_lock(staging / LOCK))
        if app_version != manifest.app_version:
            raise BundleError(f"manifest says sonocart {manifest.app_version}, the wheel is {app_version}")
        if release.is_complete(layout.release(version)):
            raise BundleError(f"{version} is already installed (releases/{version}); it is not current")
        dest = release.build_release(layout, version, wheels)
        for name in (MANIFEST, SIGNATURE, SBOM, LOCK):
            if (staging / name).exists():
                shutil.copyfile(staging / name, dest / name)
        if (staging / "firmware").is_dir():
            shutil.copytree(staging / "firmware", dest / "firmware")
        release.mark_complete(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    old = release.switch(layout, version)
    passed, output = check(layout, version)
    if passed:
        return UpdateResult(version, old, manifest.firmware_version, output, rolled_back=False)
    if old is None:
        raise release.ReleaseError(f"{version} failed its self-check and there is nothing to roll back to")
    release.roll_back(layout, version)
    shutil.rmtree(dest, ignore_errors=True)
    return UpdateResult(version, old, manifest.firmware_version, output, rolled_back=True)
