"""Driver of the probe interface: handshake, heartbeats, streaming, latest-frame slot.

Frames land in a single latest-frame slot (never a queue: a slow display shows
the newest image, it never falls behind). Link quality is kept as numbers:
sequence gaps, bad frames, the device's own dropped-frame count.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cobs import cobs

from sonocart.validation.frames import FrameValidator
from sonocart.wire import probe_codec as pc
from sonocart.wire.framer import Framer, encode_frame
from sonocart.wire.sequence import GapTracker, SequenceCounter
from sonocart.wire.transport import LinkDown, LinkState, SerialLink

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
    """Connect to the probe on ``port`` and keep it streaming; recover by itself."""

    def __init__(
        self, port: str, *, clock: Callable[[], float] = time.monotonic, depth_mm: float | None = None
    ) -> None:
        self.port = port
        self._clock = clock
        self.depth_mm = depth_mm
        self.latest = LatestFrame()
        self._seq = SequenceCounter()
        self._gaps = GapTracker()
        self._framer = Framer(self._on_payload, pc.MAX_PAYLOAD, cobs_decode=cobs.decode)
        self._link = SerialLink(port, self, name="probe-link")
        self._lock = threading.Lock()
        self._identity: pc.Identify | None = None
        self._incompatible: str | None = None
        self._last_rx: float | None = None
        self._last_hello = 0.0
        self._bad_messages = 0
        self._validator = FrameValidator()
        self._invalid: str | None = None  # why the newest frame was refused; None once one is good
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
            self._send(pc.Command(self._seq.take(), pc.MsgId.STOP))
        self._link.stop()
        if self._ticker.is_alive():
            self._ticker.join(1.0)

    def set_depth(self, depth_mm: float) -> None:
        self.depth_mm = depth_mm
        self._send(pc.Command(self._seq.take(), pc.MsgId.SET_DEPTH, depth_mm))

    # -- status --------------------------------------------------------------------------------------
    def status(self) -> ProbeStatus:
        with self._lock:
            connected = self._link.state is LinkState.CONNECTED
            return ProbeStatus(
                port=self.port,
                connected=connected,
                identity=self._identity,
                fault=self._fault(connected),
                frames=self.latest.count,
                sequence_gaps=self._gaps.missing,
                bad_frames=self._framer.stats.bad_total() + self._bad_messages,
                device_dropped=self._device_dropped,
                fps=self._fps,
            )

    def _fault(self, connected: bool) -> str | None:
        if self._incompatible:
            return self._incompatible
        if not connected:
            return f"probe link down ({self.port})"
        if self._identity is None:
            return "probe not identified"
        if self._last_rx is None or self._clock() - self._last_rx > DEVICE_SILENT_S:
            return "probe silent"
        if self._invalid is not None:
            return f"probe sends frames that cannot be imaged: {self._invalid}"
        return None

    # -- LinkProtocol --------------------------------------------------------------------------------
    def connection_made(self, link: SerialLink) -> None:
        with self._lock:
            self._framer.reset()
            self._gaps.reset()
            self._identity = None
            self._incompatible = None
            self._last_rx = None
            self._invalid = None
        self._hello()

    def data_received(self, data: bytes) -> None:
        self._framer.feed(data)

    def connection_lost(self, error: BaseException | None) -> None:
        with self._lock:
            self._identity = None
            self._fps = 0.0
            self._fps_window.clear()

    # -- internals -----------------------------------------------------------------------------------
    def _hello(self) -> None:
        self._last_hello = self._clock()
        self._send(pc.Hello(self._seq.take()))

    def _send(self, msg: pc.Message) -> None:
        # A down link reports itself through status(); the next connect says hello again.
        with contextlib.suppress(LinkDown):
            self._link.write(encode_frame(pc.encode(msg), cobs_encode=cobs.encode))

    def _on_payload(self, payload: bytes) -> None:
        now = self._clock()
        msg = pc.decode(payload)
        with self._lock:
            if isinstance(msg, pc.BadMessage):
                self._bad_messages += 1
                if msg.msg_id == pc.MsgId.FRAME:
                    self._invalid = msg.reason  # the newest frame is unreadable: NO SIGNAL, saying why
                return
            self._last_rx = now
            self._gaps.observe(msg.seq)
        if isinstance(msg, pc.Frame):
            self._device_dropped = msg.dropped_frames
            self._count_fps(now)
            if self._identity is not None:
                self._hand_over(msg, now)
        elif isinstance(msg, pc.Identify):
            self._on_identify(msg)

    def _hand_over(self, frame: pc.Frame, now: float) -> None:
        """Into the latest-frame slot only if it can be imaged; otherwise a counted bad frame."""
        problem = self._validator.problem(frame)
        with self._lock:
            self._invalid = problem
            if problem is not None:
                self._bad_messages += 1
                return
        self.latest.put(frame, now)

    def _on_identify(self, msg: pc.Identify) -> None:
        if msg.protocol_version != pc.PROTOCOL_VERSION or msg.schema_hash != pc.SCHEMA_HASH:
            with self._lock:
                self._incompatible = (
                    f"probe speaks protocol v{msg.protocol_version} schema {msg.schema_hash:08x}; "
                    f"this host needs v{pc.PROTOCOL_VERSION} schema {pc.SCHEMA_HASH:08x}"
                )
            return
        with self._lock:
            self._identity = msg
        if self.depth_mm is not None:
            self._send(pc.Command(self._seq.take(), pc.MsgId.SET_DEPTH, self.depth_mm))
        self._send(pc.Command(self._seq.take(), pc.MsgId.START))

    def _count_fps(self, now: float) -> None:
        w = self._fps_window
        w.append(now)
        while w and now - w[0] > 1.0:
            w.pop(0)
        self._fps = float(len(w) - 1) / (w[-1] - w[0]) if len(w) > 1 and w[-1] > w[0] else 0.0

    def _tick_loop(self) -> None:
        while not self._closing.wait(HEARTBEAT_S / 2):
            if self._link.state is not LinkState.CONNECTED:
                continue
            if (
                self._identity is None
                and self._clock() - self._last_hello > HELLO_RETRY_S
                and not self._incompatible
            ):
                self._hello()
            self._send(pc.Heartbeat(self._seq.take(), int(self._clock() * 1000), False))
