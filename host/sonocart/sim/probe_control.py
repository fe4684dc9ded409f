"""The simulated probe's control socket: switch the scene of a running simulator.

``sonocart sim --control PATH`` serves a line protocol on a UNIX socket (the same
shape as the pedal board's, :mod:`sonocart.sim.pedal_board`; any line client such as
:class:`sonocart.sim.pedal_control.PedalSimClient` speaks it). The probe wire protocol
is untouched: a real probe has no scenes. Commands, one answer line each:

* ``scene NAME`` — show scene NAME (``ok scene NAME``);
* ``procedure ID`` — show the scene of catalogue procedure ID (``ok scene NAME``);
* ``scenes`` — the scene names (``ok femoral knee ...``);
* ``status`` — the scene being shown (``ok scene NAME``).

Requests are taken by the serving loop between frames (:meth:`SceneControl.take`), so a
scene is never changed half-way through a frame.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

from sonocart.sim.scenes import SCENES, scene_for_procedure


class SceneControl:
    """Thread-safe scene requests, from the socket or from :meth:`command` directly."""

    def __init__(self, current: str) -> None:
        self._lock = threading.Lock()
        self._current = current
        self._pending: str | None = None
        self._server: socket.socket | None = None
        self._path: Path | None = None

    def command(self, line: str) -> str:
        words = line.split()
        if not words:
            return "error empty command"
        verb, args = words[0].lower(), words[1:]
        if verb == "scenes" and not args:
            return "ok " + " ".join(sorted(SCENES))
        if verb == "status" and not args:
            with self._lock:
                return f"ok scene {self._pending or self._current}"
        if verb in ("scene", "procedure") and len(args) == 1:
            name = args[0] if verb == "scene" else scene_for_procedure(args[0])
            if name not in SCENES:
                return f"error unknown scene {name!r} (one of {', '.join(sorted(SCENES))})"
            with self._lock:
                self._pending = name
            return f"ok scene {name}"
        return f"error unknown command {line.strip()!r}"

    def take(self) -> str | None:
        """The scene requested since the last call, if any (the serving loop shows it next)."""
        with self._lock:
            name, self._pending = self._pending, None
            if name is not None:
                self._current = name
            return name

    # -- socket ---------------------------------------------------------------------------------------
    def serve(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        server.listen(4)
        self._server, self._path = server, path
        threading.Thread(target=self._accept, args=(server,), name="probe-sim-control", daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), name="probe-sim-client", daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb", buffering=0) as f:
            for raw in f:
                f.write(self.command(raw.decode(errors="replace")).encode() + b"\n")
