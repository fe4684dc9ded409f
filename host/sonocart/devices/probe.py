"""Driver of the probe interface: handshake, heartbeats, streaming, latest-frame slot, depth requests.

Frames land in a single latest-frame slot (never a queue: a slow display shows
the newest image, it never falls behind). Link quality is kept as numbers:
sequence gaps, bad frames, the device's own dropped-frame count. The depth of
the image is the depth in the header of the newest frame; a depth request is
pending until the probe ACKs or refuses it, or is reported not confirmed
(:mod:`sonocart.devices.probe_depth`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cobs import cobs

from sonocart.devices.link_session import FaultTexts, LinkSession, Schema
from sonocart.devices.probe_depth import (
    DepthOutcome,
    DepthRequest,
    DepthRequests,
    FrameDepthChanged,
    ProbeEvent,
    checked_depth_mm,
)
from sonocart.wire import probe_codec as pc
from sonocart.wire.framer import Framer, encode_frame
from sonocart.wire.sequence import GapTracker, SequenceCounter
from sonocart.wire.transport import LinkDown, LinkState, SerialLink

log = logging.getLogger(__name__)

HEARTBEAT_S = 0.5
HELLO_RETRY_S = 0.5
DEVICE_SILENT_S = 1.5


@dataclass(frozen=True)
class ProbeStatus:
    port: str
    connected: bool
    identity: pc.Identify | None
    fault: str | None  # None when the link is healthy
    frames: int
    sequence_gaps: int
    bad_frames: int
    device_dropped: int
    fps: float
    frame_depth_mm: float | None = None  # the depth in the newest frame's header: the depth on screen
    depth_request: DepthRequest | None = None  # the latest depth asked for and the probe's answer

    @property
    def depth_requested_mm(self) -> float | None:
        return self.depth_request.depth_mm if self.depth_request is not None else None

    @property
    def depth_pending(self) -> bool:
        return self.depth_request is not None and self.depth_request.outcome is DepthOutcome.PENDING

    @property
    def depth_refused(self) -> str | None:
        """Why the probe refused the latest depth request, if it did."""
        return self._depth_reason(DepthOutcome.REFUSED)

    @property
    def depth_unconfirmed(self) -> str | None:
        """Why the latest depth request was never answered, if it was not."""
        return self._depth_reason(DepthOutcome.UNCONFIRMED)

    def _depth_reason(self, outcome: DepthOutcome) -> str | None:
        r = self.depth_request
        return r.reason if r is not None and r.outcome is outcome else None


class LatestFrame:
    """Single-slot hand-over from the reader thread to the display."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: pc.Frame | None = None
        self._arrived: float | None = None
        self.count = 0

    def put(self, frame: pc.Frame, arrived: float) -> None:
        with self._lock:
            self._frame, self._arrived = frame, arrived
            self.count += 1

    def get(self) -> tuple[pc.Frame | None, float | None, int]:
        with self._lock:
            return self._frame, self._arrived, self.count


class ProbeClient:
    """Connect to the probe on ``port`` and keep it streaming; recover by itself.

    ``depth_mm`` is the depth to ask for at every connect until the operator asks for another.
    """

    def __init__(
        self,
        port: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        depth_mm: float | None = None,
        on_event: Callable[[ProbeEvent], None] | None = None,
    ) -> None:
        self.port = port
        self._clock = clock
        self.latest = LatestFrame()
        self._seq = SequenceCounter()
        self._gaps = GapTracker()
        self._framer = Framer(self._on_payload, pc.MAX_PAYLOAD, cobs_decode=cobs.decode)
        self._link = SerialLink(port, self, name="probe-link")
        self._lock = threading.Lock()
        self._schema = Schema(pc.PROTOCOL_VERSION, pc.SCHEMA_HASH)
        self._session: LinkSession[pc.Identify] = LinkSession(
            clock,
            silent_after_s=DEVICE_SILENT_S,
            hello_retry_s=HELLO_RETRY_S,
            texts=FaultTexts(
                down=f"probe link down ({port})", unidentified="probe not identified", silent="probe silent"
            ),
        )
        self._handlers: dict[type[Any], Callable[[Any, float], None]] = {
            pc.Frame: self._on_frame,
            pc.Identify: self._on_identify,
            pc.Ack: self._on_ack,
        }
        self._depth = DepthRequests(None if depth_mm is None else checked_depth_mm(depth_mm))
        self._announced_depth_mm: float | None = None  # for FrameDepthChanged only; status reads the slot
        self._listeners: list[Callable[[ProbeEvent], None]] = [] if on_event is None else [on_event]
        self._bad_messages = 0
        self._device_dropped = 0
        self._fps = 0.0
        self._fps_window: list[float] = []
        self._closing = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="probe-heartbeat", daemon=True)

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> ProbeClient:
        self._link.start()
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._link.state is LinkState.CONNECTED:
            self._send(pc.Command(self._take_seq(), pc.MsgId.STOP))
        self._link.stop()
        if self._ticker.is_alive():
            self._ticker.join(1.0)

    # -- app-facing API ------------------------------------------------------------------------------
    def set_depth(self, depth_mm: float) -> DepthRequest:
        """Ask the probe for ``depth_mm`` (end of the image); the request as it stands now.

        Pending until the probe answers; every change of its outcome is a :class:`DepthRequest` event
        and shows in :meth:`status`. The image's depth changes only when frames at the new depth arrive.
        """
        return self._request_depth(checked_depth_mm(depth_mm))

    def subscribe(self, listener: Callable[[ProbeEvent], None]) -> Callable[[], None]:
        """Call ``listener`` with every :data:`ProbeEvent`; returns the function that unsubscribes.

        Listeners run on the link or heartbeat thread (or the caller's, for :meth:`set_depth`):
        hand the event over to your own thread; an exception is logged, never raised here.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    # -- status --------------------------------------------------------------------------------------
    def status(self) -> ProbeStatus:
        now = self._clock()
        frame = self.latest.get()[0]
        with self._lock:
            return ProbeStatus(
                port=self.port,
                connected=self._link.state is LinkState.CONNECTED,
                identity=self._session.identity,
                fault=self._session.fault(),
                frames=self.latest.count,
                sequence_gaps=self._gaps.missing,
                bad_frames=self._framer.stats.bad_total() + self._bad_messages,
                device_dropped=self._device_dropped,
                fps=self._fps,
                frame_depth_mm=frame.geometry.depth_end_mm if frame is not None else None,
                depth_request=self._depth.current(now),
            )

    # -- LinkProtocol --------------------------------------------------------------------------------
    def connection_made(self, link: SerialLink) -> None:
        self._session.connected()
        with self._lock:
            self._framer.reset()
            self._gaps.reset()
        self._hello()

    def data_received(self, data: bytes) -> None:
        self._framer.feed(data)

    def connection_lost(self, error: BaseException | None) -> None:
        self._session.disconnected()
        with self._lock:
            self._fps = 0.0
            self._fps_window.clear()
            lost = self._depth.link_lost()
        if lost is not None:
            self._emit(lost)

    # -- internals -----------------------------------------------------------------------------------
    def _take_seq(self) -> int:
        with self._lock:
            return self._seq.take()

    def _hello(self) -> None:
        self._session.hello_sent(self._clock())
        self._send(pc.Hello(self._take_seq()))

    def _send(self, msg: pc.Message) -> bool:
        """Write ``msg``; False when the link is down (it reports itself through status())."""
        try:
            self._link.write(encode_frame(pc.encode(msg), cobs_encode=cobs.encode))
        except LinkDown:
            return False
        return True

    def _request_depth(self, depth: float) -> DepthRequest:
        now = self._clock()
        with self._lock:  # recorded before it is sent, so that no ACK can come first
            seq = self._seq.take()
            request = self._depth.sent(seq, depth, now)
        if not self._send(pc.Command(seq, pc.MsgId.SET_DEPTH, depth)):
            with self._lock:
                request = self._depth.not_sent(depth, now, "the probe link is down: asked again at reconnect")
        self._emit(request)
        return request

    def _emit(self, event: ProbeEvent) -> None:
        with self._lock:
            listeners = tuple(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("probe event listener failed on %r", event)

    def _on_payload(self, payload: bytes) -> None:
        now = self._clock()
        msg = pc.decode(payload)
        with self._lock:
            if isinstance(msg, pc.BadMessage):
                self._bad_messages += 1
                return
            self._gaps.observe(msg.seq)
        self._session.received(now)
        handler = self._handlers.get(type(msg))
        if handler is not None:
            handler(msg, now)

    def _on_frame(self, msg: pc.Frame, now: float) -> None:
        self._device_dropped = msg.dropped_frames
        self._count_fps(now)
        if self._session.identity is None:
            return
        self.latest.put(msg, now)
        depth = msg.geometry.depth_end_mm
        if depth != self._announced_depth_mm:
            previous, self._announced_depth_mm = self._announced_depth_mm, depth
            self._emit(FrameDepthChanged(depth, previous))

    def _on_identify(self, msg: pc.Identify, now: float) -> None:
        if not self._schema.matches(msg.protocol_version, msg.schema_hash):
            self._session.refused(
                f"probe speaks protocol v{msg.protocol_version} schema {msg.schema_hash:08x}; "
                f"this host needs v{self._schema.protocol_version} schema {self._schema.schema_hash:08x}"
            )
            return
        self._session.identified(msg)
        with self._lock:
            wanted = self._depth.wanted_mm
        if wanted is not None:
            self._request_depth(wanted)
        self._send(pc.Command(self._take_seq(), pc.MsgId.START))

    def _on_ack(self, msg: pc.Ack, now: float) -> None:
        with self._lock:
            answered = self._depth.acked(msg)
        if answered is not None:
            self._emit(answered)

    def _count_fps(self, now: float) -> None:
        w = self._fps_window
        w.append(now)
        while w and now - w[0] > 1.0:
            w.pop(0)
        self._fps = float(len(w) - 1) / (w[-1] - w[0]) if len(w) > 1 and w[-1] > w[0] else 0.0

    def _tick_loop(self) -> None:
        while not self._closing.wait(HEARTBEAT_S / 2):
            now = self._clock()
            with self._lock:
                expired = self._depth.expire(now)
            if expired is not None:
                self._emit(expired)
            if self._link.state is not LinkState.CONNECTED:
                continue
            if self._session.needs_hello(now):
                self._hello()
            self._send(pc.Heartbeat(self._take_seq(), int(now * 1000), False))
