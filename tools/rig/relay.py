"""A fault-injecting serial relay: device port in, a pty for the host out, faults on command.

The soak puts one between each device and the host: bytes pass both ways unchanged until
told to :meth:`~FaultRelay.corrupt` (flip bits in the next chunks, as EMI on a cable would) or
to :meth:`~FaultRelay.unplug` (the host's port vanishes, the device keeps talking into the
void) and :meth:`~FaultRelay.replug`. When the device's own port goes (a board reset
re-enumerates USB) the host's port goes with it and comes back once the device is back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import select
import threading
import tty
from pathlib import Path

from sonocart.sim.pty import PtyEndpoint

CHUNK = 65536


class FaultRelay:
    """Relay ``device`` (a serial port path) to a pty at ``host_link``; thread-safe fault controls."""

    def __init__(self, device: Path, host_link: Path, rng: random.Random | None = None) -> None:
        self.device = Path(device)
        self.host_link = Path(host_link)
        self._rng = rng or random.Random(0)
        self._lock = threading.Lock()
        self._plugged = True
        self._corrupt_chunks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"relay-{self.device.name}", daemon=True)
        self.bytes_up = self.bytes_down = self.bytes_corrupted = 0
        self.device_losses = 0

    def start(self) -> FaultRelay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)

    def corrupt(self, chunks: int = 1) -> None:
        """Flip one random bit in each of the next ``chunks`` chunks, either direction."""
        with self._lock:
            self._corrupt_chunks += chunks

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False

    def replug(self) -> None:
        with self._lock:
            self._plugged = True

    def _mangle(self, data: bytes) -> bytes:
        with self._lock:
            if not self._corrupt_chunks or not data:
                return data
            self._corrupt_chunks -= 1
        out = bytearray(data)
        i = self._rng.randrange(len(out))
        out[i] ^= 1 << self._rng.randrange(8)
        self.bytes_corrupted += 1
        return bytes(out)

    def _open_device(self) -> int | None:
        try:
            fd = os.open(self.device, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return None
        with contextlib.suppress(OSError):
            tty.setraw(fd)
        return fd

    def _run(self) -> None:
        dev: int | None = None
        host: PtyEndpoint | None = None
        try:
            while not self._stop.is_set():
                if dev is None:
                    dev = self._open_device()
                    if dev is None:
                        self._stop.wait(0.02)
                        continue
                with self._lock:
                    plugged = self._plugged
                if plugged and host is None:
                    host = PtyEndpoint(self.host_link)
                elif not plugged and host is not None:
                    host.close()
                    host = None
                rl = [dev] + ([host.master] if host else [])
                wl = [host.master] if host is not None and host.busy else []
                readable, writable, _ = select.select(rl, wl, [], 0.05)
                if host is not None and host.master in writable:
                    host.flush()
                if dev in readable:
                    data = self._read(dev)
                    if data is None:  # the device's port went away
                        os.close(dev)
                        dev = None
                        self.device_losses += 1
                        if host is not None:
                            host.close()
                            host = None
                        continue
                    self.bytes_up += len(data)
                    if host is not None:
                        host.write(self._mangle(data))
                if host is not None and host.master in readable:
                    data = host.read()
                    if data:
                        self.bytes_down += len(data)
                        with contextlib.suppress(OSError):  # a vanished device shows on the next read
                            os.write(dev, self._mangle(data))
        finally:
            if host is not None:
                host.close()
            if dev is not None:
                os.close(dev)

    @staticmethod
    def _read(fd: int) -> bytes | None:
        try:
            data = os.read(fd, CHUNK)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno in (errno.EIO, errno.ENXIO, errno.EBADF):
                return None
            raise
        return data if data else None
