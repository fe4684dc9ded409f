"""systemd's service watchdog, fed from the core's health tick (:meth:`sonocart.cart.cart.Cart.pump`).

Under ``Type=notify`` systemd passes ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``. The first pump says
``READY=1`` (the cart is running its loop, not merely started); later pumps say ``WATCHDOG=1`` at most
every half period. A pump that stops (a hung UI thread, a deadlocked driver) stops the pings and systemd
kills and restarts the service. Without those variables (a developer's ``make run``, tests) it does
nothing. The datagram is the sd_notify(3) protocol itself: one ``KEY=VALUE`` line per field.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Watchdog:
    def __init__(self, address: str | None, period_s: float | None, clock: Callable[[], float]) -> None:
        #: abstract-namespace sockets are spelled with a leading "@" (sd_notify(3))
        self._address = "\0" + address[1:] if address and address.startswith("@") else address
        self._interval = None if period_s is None else period_s / 2
        self._clock = clock
        self._ready = False
        self._next = 0.0
        self._sock: socket.socket | None = None

    @classmethod
    def from_environment(cls, clock: Callable[[], float], env: Mapping[str, str] = os.environ) -> Watchdog:
        address = env.get("NOTIFY_SOCKET") or None
        period: float | None = None
        usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            period = int(usec) / 1_000_000
        return cls(address, period, clock)

    @property
    def active(self) -> bool:
        return self._address is not None

    def tick(self) -> None:
        """Called from every pump: READY once, then a WATCHDOG ping when half the period has passed."""
        if self._address is None:
            return
        if not self._ready:
            self._ready = self.notify("READY=1\nSTATUS=cart running")
            self._next = self._clock()
        if self._interval is not None and self._clock() >= self._next:
            self._next = self._clock() + self._interval
            self.notify("WATCHDOG=1")

    def notify(self, message: str) -> bool:
        if self._address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode(), self._address)
        except OSError as exc:  # systemd gone or socket full: the watchdog will say so by restarting us
            log.warning("sd_notify to %s failed: %s", self._address.lstrip("\0"), exc)
            return False
        return True

    def stopping(self) -> None:
        self.notify("STOPPING=1")
