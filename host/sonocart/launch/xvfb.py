"""A private virtual X display, for a headless cart, for tests and for screenshots.

Private in both senses: started with ``-auth`` on an Xauthority file holding a fresh random
MIT-MAGIC-COOKIE-1, in a 0700 folder of its own (file 0600), so another local user can neither read the
cookie nor connect (no cookie, no connection: a screen capture or a synthetic click is refused). Clients get
``DISPLAY`` and ``XAUTHORITY`` from :meth:`Xvfb.client_env`. The one entry is FamilyWild with an empty
display number: the server loads every entry's cookie whatever its address, and a client matches it for
whichever display number ``-displayfd`` chose.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from sonocart.journal.private_fs import write_private

COOKIE_NAME = b"MIT-MAGIC-COOKIE-1"
FAMILY_WILD = 0xFFFF


class XvfbError(RuntimeError):
    pass


class Xvfb:
    """Start ``Xvfb`` on a free display number (``-displayfd``); stop it on exit."""

    def __init__(self, width: int = 1280, height: int = 800, depth: int = 24) -> None:
        self.screen = f"{width}x{height}x{depth}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.display = ""
        self.xauthority: Path | None = None

    def client_env(self) -> dict[str, str]:
        """What a client needs to reach this display: ``DISPLAY`` and ``XAUTHORITY``."""
        if not self.display or self.xauthority is None:
            raise XvfbError("the virtual display is not running")
        return {"DISPLAY": self.display, "XAUTHORITY": str(self.xauthority)}

    def start(self, timeout_s: float = 15.0) -> str:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise XvfbError("Xvfb is not installed (Debian package xvfb; `make setup` installs it)")
        folder = Path(tempfile.mkdtemp(prefix="sonocart-x-"))  # 0700, ours
        self.xauthority = write_private(folder / "Xauthority", xauth_entry(secrets.token_bytes(16)))
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [
                exe,
                "-displayfd",
                str(write_fd),
                "-auth",
                str(self.xauthority),
                "-screen",
                "0",
                self.screen,
                "-nolisten",
                "tcp",
                "+extension",
                "GLX",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_fd)
        try:
            number = _read_line(read_fd, timeout_s)
        finally:
            os.close(read_fd)
        if not number:
            self.stop()
            raise XvfbError("Xvfb did not report a display number")
        self.display = f":{number}"
        return self.display

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.xauthority is not None:
            shutil.rmtree(self.xauthority.parent, ignore_errors=True)
            self.xauthority = None

    def __enter__(self) -> Xvfb:
        self.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def xauth_entry(cookie: bytes, number: str = "") -> bytes:
    """One Xauthority entry (libXau's format: a 16-bit family, then four length-prefixed fields)."""

    def field(value: bytes) -> bytes:
        return struct.pack(">H", len(value)) + value

    return (
        struct.pack(">H", FAMILY_WILD)
        + field(b"")
        + field(number.encode())
        + field(COOKIE_NAME)
        + field(cookie)
    )


def _read_line(fd: int, timeout_s: float) -> str:
    import select

    data = b""
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout_s)
        if not ready:
            break
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()
