"""A serial port owned by one reader thread that reconnects by itself.

Modelled on ``serial.threaded.ReaderThread``: the thread owns the port, the read
loop and the write lock, and calls a :class:`LinkProtocol` back. Unlike it, a lost
port is not the end: the link closes, waits (exponential backoff) and opens the
same name again, so a pulled cable or a restarted device recovers by itself. The
port is named, never a file descriptor, so a udev symlink (``/dev/sonocart-probe``)
or a simulator's pty symlink that moves to a new pty keeps working.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
from collections.abc import Callable
from typing import Protocol

import serial

log = logging.getLogger(__name__)


class LinkState(enum.Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CLOSED = "closed"


class LinkProtocol(Protocol):
    """What the transport calls back; exceptions raised here are logged, not fatal."""

    def connection_made(self, link: SerialLink) -> None: ...
    def data_received(self, data: bytes) -> None: ...
    def connection_lost(self, error: BaseException | None) -> None: ...


class LinkDown(ConnectionError):
    """Raised by :meth:`SerialLink.write` while the port is not open."""


def open_serial(port: str, baudrate: int = 115200) -> serial.Serial:
    """Open ``port`` (a device path or a pyserial URL) for binary, non-canonical I/O."""
    return serial.serial_for_url(port, baudrate=baudrate, timeout=0.05, write_timeout=1.0, exclusive=True)


class SerialLink(threading.Thread):
    """Keep ``port`` open, feed its bytes to ``protocol``, reopen after any failure."""

    def __init__(
        self,
        port: str,
        protocol: LinkProtocol,
        *,
        opener: Callable[[str], serial.Serial] = open_serial,
        backoff_initial_s: float = 0.05,
        backoff_max_s: float = 1.0,
        name: str = "serial-link",
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.port = port
        self._protocol = protocol
        self._opener = opener
        self._backoff_initial = backoff_initial_s
        self._backoff_max = backoff_max_s
        self._closing = threading.Event()
        self._write_lock = threading.Lock()
        self._serial: serial.Serial | None = None
        self.state = LinkState.CONNECTING
        self.connects = 0
        self.last_error: str = ""

    def stop(self, timeout: float = 2.0) -> None:
        """Close the port for good and wait for the thread."""
        self._closing.set()
        ser = self._serial
        if ser is not None:
            with contextlib.suppress(Exception):  # the port may already be gone
                ser.cancel_read()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)
        self.state = LinkState.CLOSED

    def write(self, data: bytes) -> None:
        """Write all of ``data`` or raise :class:`LinkDown`."""
        with self._write_lock:
            ser = self._serial
            if ser is None or self.state is not LinkState.CONNECTED:
                raise LinkDown(f"{self.port}: not connected")
            try:
                ser.write(data)
            except (serial.SerialException, OSError) as exc:
                raise LinkDown(f"{self.port}: {exc}") from exc

    def run(self) -> None:
        delay = self._backoff_initial
        while not self._closing.is_set():
            try:
                ser = self._opener(self.port)
            except (serial.SerialException, OSError, ValueError) as exc:
                self.last_error = str(exc)
                self._closing.wait(delay)
                delay = min(delay * 2, self._backoff_max)
                continue
            delay = self._backoff_initial
            self._serial = ser
            self.state = LinkState.CONNECTED
            self.connects += 1
            error = self._serve(ser)
            with self._write_lock:
                self.state = LinkState.CONNECTING
                self._serial = None
                with contextlib.suppress(Exception):
                    ser.close()
            self._call(self._protocol.connection_lost, error)
        self.state = LinkState.CLOSED

    def _serve(self, ser: serial.Serial) -> BaseException | None:
        self._call(self._protocol.connection_made, self)
        while not self._closing.is_set():
            try:
                data = ser.read(ser.in_waiting or 1)
            except (serial.SerialException, OSError, TypeError) as exc:
                # pyserial raises TypeError when the fd vanishes under a read
                self.last_error = str(exc)
                return exc
            if data:
                self._call(self._protocol.data_received, data)
        return None

    def _call(self, fn: Callable[..., None], *args: object) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("%s: protocol callback %s failed", self.port, getattr(fn, "__name__", fn))
