"""Client of the simulated pedal board's control socket (``sonocart firmware sim --control PATH``).

For a process that did not start the board itself: the app's keyboard keys, a rig suite.
One line out, one line back (see :mod:`sonocart.sim.pedal_board` for the commands).
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path


class ControlError(RuntimeError):
    pass


class PedalSimClient:
    """Thread-safe; reconnects on the next call after the board's launcher went away."""

    def __init__(self, control_path: Path | str, timeout_s: float = 2.0) -> None:
        self.path = str(control_path)
        self._timeout = timeout_s
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._buf = b""

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def command(self, line: str) -> str:
        """Send one command; return its answer, or raise :class:`ControlError` ("error ..." or no board)."""
        with self._lock:
            try:
                if self._sock is None:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.settimeout(self._timeout)
                    s.connect(self.path)
                    self._sock, self._buf = s, b""
                self._sock.sendall(line.strip().encode() + b"\n")
                while b"\n" not in self._buf:
                    chunk = self._sock.recv(256)
                    if not chunk:
                        raise OSError("control socket closed")
                    self._buf += chunk
            except OSError as exc:
                if self._sock is not None:
                    self._sock.close()
                self._sock = None
                raise ControlError(f"simulated pedal board not reachable at {self.path}: {exc}") from exc
            reply, self._buf = self._buf.split(b"\n", 1)
        text = reply.decode(errors="replace")
        if text.startswith("error"):
            raise ControlError(text)
        return text

    def press(self, pedal: str = "A") -> None:
        self.command(f"press {pedal}")

    def release(self, pedal: str = "A") -> None:
        self.command(f"release {pedal}")

    def unplug(self) -> None:
        self.command("unplug")

    def replug(self) -> None:
        self.command("replug")

    def reset(self) -> None:
        self.command("reset")

    def light(self) -> tuple[int, int, int]:
        _, r, g, b = self.command("light").split()
        return int(r), int(g), int(b)

    def buzzer(self) -> bool:
        return self.command("buzzer").split()[1] == "1"
