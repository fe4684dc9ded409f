"""The simulated probe interface's protocol logic, independent of any port.

Feed it the host's bytes and the time; it answers HELLO with IDENTIFY, obeys
START/STOP/SET_DEPTH and ACKs each (a depth outside its range is refused with
BAD_ARGUMENT; one that cannot change depth, a replay, answers UNSUPPORTED). Like a real probe it stops
streaming when the host's heartbeats stop (a dead host must not keep a
transducer firing) and counts the frames it could not send.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from cobs import cobs

from sonocart import __version__
from sonocart.devices.probe_geometry import to_frame_geometry
from sonocart.imaging.geometry import Geometry
from sonocart.wire import probe_codec as pc
from sonocart.wire.framer import Framer, encode_frame
from sonocart.wire.sequence import SequenceCounter

HOST_SILENCE_STOP_S = 2.0
DEPTH_RANGE_MM = (10.0, 160.0)


class SimulatedProbeDevice:
    """Protocol side of the simulated probe. ``send`` takes framed bytes for the wire."""

    def __init__(
        self,
        geometry: Geometry,
        send: Callable[[bytes], None],
        now: Callable[[], float],
        serial_number: str = "SIM-0001",
        depth_range_mm: tuple[float, float] | None = DEPTH_RANGE_MM,
    ) -> None:
        self.geometry = geometry
        self.depth_range_mm = depth_range_mm  # None: the depth cannot be changed
        self._send = send
        self._now = now
        self._seq = SequenceCounter()
        self._framer = Framer(self._on_payload, pc.MAX_PAYLOAD, cobs_decode=cobs.decode)
        self.serial_number = serial_number
        self.streaming = False
        self.frames_sent = 0
        self.dropped_frames = 0
        self._t0 = now()
        self._last_host = self._t0
        self.bad_from_host = 0

    def feed(self, data: bytes) -> None:
        self._framer.feed(data)

    def uptime_ms(self) -> int:
        return int((self._now() - self._t0) * 1000)

    def tick(self) -> None:
        """Call regularly: enforces the host-silence stop."""
        if self.streaming and self._now() - self._last_host > HOST_SILENCE_STOP_S:
            self.streaming = False

    def heartbeat(self) -> None:
        self._emit(pc.Heartbeat(self._seq.take(), self.uptime_ms(), self.streaming))

    def encode_frame(self, lines: np.ndarray, capture_time_us: int) -> bytes:
        """Wire bytes for the next frame of ``lines``."""
        msg = pc.Frame(
            self._seq.take(),
            self.frames_sent,
            capture_time_us,
            self.dropped_frames,
            to_frame_geometry(self.geometry),
            lines,
        )
        return encode_frame(pc.encode(msg), cobs_encode=cobs.encode)

    def _emit(self, msg: pc.Message) -> None:
        self._send(encode_frame(pc.encode(msg), cobs_encode=cobs.encode))

    def _on_payload(self, payload: bytes) -> None:
        msg = pc.decode(payload)
        if isinstance(msg, pc.BadMessage):
            self.bad_from_host += 1
            return
        self._last_host = self._now()
        if isinstance(msg, pc.Hello):
            self._emit(
                pc.Identify(
                    self._seq.take(),
                    pc.PROTOCOL_VERSION,
                    pc.SCHEMA_HASH,
                    pc.MAX_PAYLOAD,
                    "Sonocart",
                    "Simulated probe interface",
                    self.serial_number,
                    __version__,
                )
            )
        elif isinstance(msg, pc.Command):
            self._command(msg)

    def _command(self, msg: pc.Command) -> None:
        status = pc.AckStatus.OK
        if msg.msg_id is pc.MsgId.START:
            self.streaming = True
        elif msg.msg_id is pc.MsgId.STOP:
            self.streaming = False
        elif msg.msg_id is pc.MsgId.SET_DEPTH:
            status = self._set_depth(msg.depth_end_mm)
        self._emit(pc.Ack(self._seq.take(), int(msg.msg_id), msg.seq, status))

    def _set_depth(self, depth_mm: float) -> pc.AckStatus:
        if self.depth_range_mm is None:
            return pc.AckStatus.UNSUPPORTED
        lo, hi = self.depth_range_mm
        if not (lo <= depth_mm <= hi and depth_mm > self.geometry.depth_start_mm):
            return pc.AckStatus.BAD_ARGUMENT
        self.geometry = replace(self.geometry, depth_end_mm=depth_mm)
        return pc.AckStatus.OK
