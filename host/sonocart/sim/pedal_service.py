"""The simulated pedal board as a process for ``sonocart run``, and the app's remote for its pedals.

``python -m sonocart.sim.pedal_service --link run/pedal --control run/pedal.ctl`` boots the real
firmware on the unix-port MicroPython (see :mod:`sonocart.sim.pedal_board`) and serves its control
socket until SIGTERM/SIGINT, then powers the board off (the pty link vanishes with it).
:class:`SimPedalRemote` is what the app's keyboard keys and on-screen pedal buttons use.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from pathlib import Path

from sonocart.sim.pedal_board import start_simulated_board


class SimPedalRemote:
    """Line client of the simulated board's control socket ("press A", "release A", "light"...)."""

    def __init__(self, path: Path, timeout_s: float = 2.0) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def command(self, line: str) -> str:
        """Send one command, return its one-line answer ("error ..." when the board is unreachable)."""
        err = "not attempted"
        with self._lock:
            for _attempt in range(2):
                try:
                    if self._sock is None:
                        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                        s.settimeout(self.timeout_s)
                        s.connect(str(self.path))
                        self._sock = s
                    self._sock.sendall(line.encode() + b"\n")
                    return self._readline()
                except OSError as exc:
                    self.close()
                    err = str(exc)
            return f"error {err}"

    def _readline(self) -> str:
        assert self._sock is not None
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = self._sock.recv(256)
            if not chunk:
                raise OSError("control socket closed")
            buf += chunk
        return buf.decode(errors="replace").strip()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sonocart.sim.pedal_service")
    ap.add_argument("--link", type=Path, required=True, help="pty symlink to create (the board's port)")
    ap.add_argument("--control", type=Path, required=True, help="UNIX socket for the control protocol")
    args = ap.parse_args(argv)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: done.set())
    board = start_simulated_board(args.link, args.control)
    try:
        done.wait()
    finally:
        board.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
