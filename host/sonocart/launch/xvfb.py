"""A private virtual X display, for a headless cart, for tests and for screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
from types import TracebackType


class XvfbError(RuntimeError):
    pass


class Xvfb:
    """Start ``Xvfb`` on a free display number (``-displayfd``); stop it on exit."""

    def __init__(self, width: int = 1280, height: int = 800, depth: int = 24) -> None:
        self.screen = f"{width}x{height}x{depth}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.display = ""

    def start(self, timeout_s: float = 15.0) -> str:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise XvfbError("Xvfb is not installed (Debian package xvfb; `make setup` installs it)")
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [
                exe,
                "-displayfd",
                str(write_fd),
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

    def __enter__(self) -> Xvfb:
        self.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


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
