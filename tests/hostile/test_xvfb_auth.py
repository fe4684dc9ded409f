"""The headless cart's virtual display admits only holders of its private cookie: another local user can
neither read the cookie nor connect (no screen capture, no synthetic clicks). Oracles: xauth's own reading
of the file, xdpyinfo's connection result, and the kernel's permission check as another uid (setpriv)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonocart.launch.xvfb import Xvfb

NOBODY = 65534
pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xdpyinfo") and shutil.which("xauth")),
    reason="needs Xvfb, xdpyinfo and xauth (make setup installs them)",
)


@pytest.fixture(scope="module")
def server() -> Iterator[Xvfb]:
    with Xvfb(320, 240) as xvfb:
        yield xvfb


def xdpyinfo(env: dict[str, str], *prefix: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [*prefix, "xdpyinfo"], env={**clean, **env}, capture_output=True, text=True, timeout=30, check=False
    )


def test_the_cookie_is_private_and_xauth_reads_it(server: Xvfb) -> None:
    path = Path(server.client_env()["XAUTHORITY"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    listed = subprocess.run(["xauth", "-f", str(path), "list"], capture_output=True, text=True, check=True)
    (line,) = listed.stdout.splitlines()
    assert "MIT-MAGIC-COOKIE-1" in line and len(line.split()[-1]) == 32  # 16 random bytes, hex


def test_a_client_with_the_cookie_connects(server: Xvfb) -> None:
    done = xdpyinfo(server.client_env())
    assert done.returncode == 0, done.stderr
    assert f"name of display:    {server.display}" in done.stdout


def test_a_client_without_the_cookie_is_refused(server: Xvfb, tmp_path: Path) -> None:
    empty = tmp_path / "no-cookie"
    empty.write_bytes(b"")
    done = xdpyinfo({"DISPLAY": server.display, "XAUTHORITY": str(empty)})
    assert done.returncode != 0
    assert "unable to open display" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another uid")
def test_another_local_user_can_neither_read_the_cookie_nor_connect(server: Xvfb) -> None:
    as_nobody = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all")
    cookie = server.client_env()["XAUTHORITY"]
    read = subprocess.run([*as_nobody, "cat", cookie], capture_output=True, text=True, check=False)
    assert read.returncode != 0 and "Permission denied" in read.stderr
    done = xdpyinfo(server.client_env(), *as_nobody)  # even pointed at the file it cannot read
    assert done.returncode != 0 and "unable to open display" in done.stderr


def test_the_cookie_folder_goes_with_the_display(tmp_path: Path) -> None:
    xvfb = Xvfb(160, 120)
    xvfb.start()
    folder = Path(xvfb.client_env()["XAUTHORITY"]).parent
    assert folder.is_dir()
    xvfb.stop()
    assert not folder.exists()
