"""One real install into a throwaway root per test session: ``make wheels`` + ``tools.install``.

The root is laid out like a Debian system about to boot: the host's systemd units are copied into its
``/usr/lib/systemd/system`` (what Raspberry Pi OS ships) so that ``systemd-analyze --root`` can resolve
the targets the cart's unit names.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WHEELS = REPO / "build" / "wheels"


def installer(*args: str) -> subprocess.CompletedProcess[str]:
    """The installer exactly as ``make install`` runs it: system Python, ``PYTHONPATH=host``."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PYTHONPATH"] = str(REPO / "host")
    return subprocess.run(
        ["/usr/bin/python3", "-m", "tools.install", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


RELEASES = "opt/sonocart/releases"


def copy_install(installed: Path, dest: Path) -> Path:
    """A copy of a real install to change freely, made in well under a second instead of several.

    The release virtualenvs (a few hundred MB nothing changes in place: an update builds a new release
    beside them, a rollback or uninstall only unlinks) are hard links; everything else (settings,
    records, /etc) is copied, so that writing it never reaches ``installed``."""
    releases = installed / RELEASES

    def copy(src: str, dst: str) -> object:
        if Path(src).is_relative_to(releases):
            try:
                os.link(src, dst)
                return dst
            except OSError:  # another file system: a plain copy
                pass
        return shutil.copy2(src, dst)

    shutil.copytree(installed, dest, symlinks=True, dirs_exist_ok=True, copy_function=copy)
    return dest


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    proc = subprocess.run(
        ["make", "--no-print-directory", "wheels"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return WHEELS


@pytest.fixture(scope="session")
def installed_root(wheelhouse: Path) -> Iterator[Path]:
    # Not under pytest's tmp (0700 root): other uids must be able to walk down to the root's files, as
    # on a cart, so that a refused read is refused by the file's own mode.
    root = Path(tempfile.mkdtemp(prefix="sonocart-root-", dir="/tmp"))
    root.chmod(0o755)
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    sbom = root.with_name(root.name + ".cdx.json")
    made = subprocess.run(
        [sys.executable, "-m", "tools.sbom", "--wheels", str(wheelhouse), "--out", str(sbom)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    proc = installer("install", "--root", str(root), "--wheels", str(wheelhouse), "--sbom", str(sbom))
    assert proc.returncode == 0, proc.stderr
    yield root
    shutil.rmtree(root, ignore_errors=True)
    sbom.unlink(missing_ok=True)


@pytest.fixture
def copied_root(installed_root: Path) -> Iterator[Path]:
    """A copy of the session's install for one test to change freely (:func:`copy_install`), beside it in
    /tmp: on its file system, so the releases are linked, not copied (pytest's tmp_path may be a tmpfs)."""
    root = Path(tempfile.mkdtemp(prefix="sonocart-copy-", dir=installed_root.parent))
    copy_install(installed_root, root)
    yield root
    shutil.rmtree(root, ignore_errors=True)
