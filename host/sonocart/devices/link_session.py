"""The session shape both device drivers share: handshake, identity, silence and fault text.

A driver says HELLO on every connect and repeats it until the device IDENTIFYs. A device whose protocol
version or message-table hash differ is refused with a text naming both and stays refused until its link
drops: the host must not act on messages it cannot be sure to read. A device that sends nothing for
``silent_after_s`` is silent. :meth:`LinkSession.fault` reads one ordered table, most basic problem
first (refused, link down, not identified, silent, then the driver's own rows): the first row that holds
is the fault the status bar shows.

The drivers own their codecs and what they do with each message; this class owns only the state that
every link session has. It is thread-safe: the link thread, the heartbeat thread and status readers use it.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

IdentityT = TypeVar("IdentityT")


class SessionState(enum.Enum):
    DISCONNECTED = "disconnected"  # no open port (initially, and after every link loss)
    HANDSHAKING = "handshaking"  # port open, HELLO sent, no IDENTIFY yet
    IDENTIFIED = "identified"  # a compatible device said who it is
    INCOMPATIBLE = "incompatible"  # the device speaks another protocol version or message table


@dataclass(frozen=True)
class Schema:
    """What this host speaks: a device must IDENTIFY with the same protocol version and table hash."""

    protocol_version: int
    schema_hash: int

    def matches(self, protocol_version: int, schema_hash: int) -> bool:
        return protocol_version == self.protocol_version and schema_hash == self.schema_hash


@dataclass(frozen=True)
class FaultTexts:
    """The device's words for the session faults every link has."""

    down: str  # the port is not open
    unidentified: str  # open, but no IDENTIFY yet
    silent: str  # identified, then nothing received for ``silent_after_s``


class LinkSession(Generic[IdentityT]):
    """disconnected → handshaking → identified | incompatible, with a last-received deadline."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        silent_after_s: float,
        hello_retry_s: float,
        texts: FaultTexts,
    ) -> None:
        self._clock = clock
        self.silent_after_s = silent_after_s
        self.hello_retry_s = hello_retry_s
        self._texts = texts
        self._lock = threading.Lock()
        self._state = SessionState.DISCONNECTED
        self._identity: IdentityT | None = None
        self._incompatible: str | None = None
        self._last_rx: float | None = None
        self._last_hello: float | None = None
        self._silence_reported = False

    # -- transitions ---------------------------------------------------------------------------------
    def connected(self) -> None:
        """A port opened: a new session starts (the driver says HELLO next)."""
        with self._lock:
            self._state = SessionState.HANDSHAKING
            self._identity = None
            self._incompatible = None
            self._last_rx = None

    def disconnected(self) -> None:
        """The port closed. A refusal stays shown until the next connect (it says why)."""
        with self._lock:
            self._state = SessionState.DISCONNECTED
            self._identity = None

    def received(self, now: float) -> None:
        """A readable message arrived (of any kind): the device is not silent."""
        with self._lock:
            self._last_rx = now
            self._silence_reported = False

    def hello_sent(self, now: float) -> None:
        with self._lock:
            self._last_hello = now

    def identified(self, identity: IdentityT) -> None:
        """The device's IDENTIFY matched :class:`Schema`."""
        with self._lock:
            self._state = SessionState.IDENTIFIED
            self._identity = identity
            self._incompatible = None

    def refused(self, text: str) -> bool:
        """The device's IDENTIFY did not match; True the first time this text is given."""
        with self._lock:
            first = self._incompatible != text
            self._state = SessionState.INCOMPATIBLE
            self._identity = None
            self._incompatible = text
            return first

    # -- queries -------------------------------------------------------------------------------------
    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def identity(self) -> IdentityT | None:
        return self._identity

    @property
    def incompatible(self) -> str | None:
        return self._incompatible

    def hello_due(self, now: float, gap_s: float | None = None) -> bool:
        """No HELLO sent within ``gap_s`` (default ``hello_retry_s``)."""
        gap = self.hello_retry_s if gap_s is None else gap_s
        with self._lock:
            return self._last_hello is None or now - self._last_hello > gap

    def needs_hello(self, now: float) -> bool:
        """Handshaking and the last HELLO went unanswered for ``hello_retry_s``: say it again."""
        return self._state is SessionState.HANDSHAKING and self.hello_due(now)

    def silence_began(self, now: float) -> bool:
        """True once per silence: the device spoke, then nothing for ``silent_after_s``."""
        with self._lock:
            if self._last_rx is None or now - self._last_rx <= self.silent_after_s:
                return False
            first = not self._silence_reported
            self._silence_reported = True
            return first

    def fault(self, *device_rows: str | None) -> str | None:
        """The first fault that holds, in the order of the table; None when the link is healthy.

        ``device_rows`` are the driver's own faults, which count only once the session ones are clear.
        """
        now = self._clock()
        with self._lock:
            silent = self._last_rx is None or now - self._last_rx > self.silent_after_s
            table = (
                self._incompatible,
                self._texts.down if self._state is SessionState.DISCONNECTED else None,
                self._texts.unidentified if self._identity is None else None,
                self._texts.silent if silent else None,
            )
        return next((row for row in (*table, *device_rows) if row), None)
