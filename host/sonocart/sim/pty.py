"""A pseudo-terminal with a stable symlink to its slave: how simulators look like USB serial devices.

Shared by the probe simulator and the simulated pedal board.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tty
from pathlib import Path


class PtyEndpoint:
    """Master side of a pty with a stable symlink to its slave."""

    def __init__(self, link: Path) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # binary stream: no echo, no newline translation
        os.set_blocking(self.master, False)
        self.link = link
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.with_name(link.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.ttyname(self._slave))
        tmp.replace(link)  # atomic: the host never sees a half-made link
        self._pending = b""

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            if self.link.is_symlink():
                self.link.unlink()
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def read(self) -> bytes:
        try:
            return os.read(self.master, 65536)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def write(self, data: bytes) -> None:
        self._pending += data
        self.flush()

    def flush(self) -> None:
        while self._pending:
            try:
                n = os.write(self.master, self._pending)
            except BlockingIOError:
                return
            self._pending = self._pending[n:]
