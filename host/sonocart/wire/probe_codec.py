"""Probe link v1: the one table of message ids and layouts (docs/protocols/probe-link.md).

Bytes in, message out: :func:`decode` never raises; a payload it cannot read
becomes a :class:`BadMessage` that the caller counts. :data:`SCHEMA_HASH` is a
CRC-32 over the canonical text of the table below, exchanged in IDENTIFY, so a
probe built against another layout is refused at connect instead of
misread at run time.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field

import numpy as np

from sonocart.wire.crc import crc32

PROTOCOL_VERSION = 1
COMMON = struct.Struct("<BBH")  # msg_id, flags (0), seq
FRAME_HEADER = struct.Struct("<IQIBBHHH5f16x")  # 60 bytes after COMMON: 64 in all
HELLO = struct.Struct("<HH")  # protocol_version, reserved
IDENTIFY_FIXED = struct.Struct("<HII")  # protocol_version, schema_hash, max_payload
HEARTBEAT = struct.Struct("<IBB")  # uptime_ms, streaming (0/1), reserved
SET_DEPTH = struct.Struct("<f")  # depth_end_mm
ACK = struct.Struct("<BHB")  # acked msg_id, acked seq, status

#: Largest scan-line block a frame may carry; checked before any decoding.
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_PAYLOAD = COMMON.size + FRAME_HEADER.size + MAX_LINE_BYTES


class MsgId(enum.IntEnum):
    HELLO = 0x01
    IDENTIFY = 0x02
    HEARTBEAT = 0x03
    FRAME = 0x10
    START = 0x20
    STOP = 0x21
    SET_DEPTH = 0x22
    ACK = 0x30


class SampleFormat(enum.IntEnum):
    """Scan-line sample types: see the frame file format in docs/frame-file.md."""

    UINT8 = 1  # log-compressed display value
    UINT16 = 2  # linear envelope amplitude, 65535 = full scale
    IQ = 3  # complex64 I/Q

    @property
    def dtype(self) -> np.dtype[np.generic]:
        return np.dtype({1: np.uint8, 2: np.uint16, 3: np.complex64}[int(self)])

    @classmethod
    def from_dtype(cls, dtype: np.dtype[np.generic]) -> SampleFormat:
        for fmt in cls:
            if fmt.dtype == dtype:
                return fmt
        raise ValueError(f"no sample format for dtype {dtype}")


class GeometryKind(enum.IntEnum):
    LINEAR = 1
    CONVEX = 2
    PHASED = 3


class AckStatus(enum.IntEnum):
    OK = 0
    BAD_ARGUMENT = 1
    UNSUPPORTED = 2


def _schema_text() -> str:
    rows = [f"v{PROTOCOL_VERSION}", f"common {COMMON.format}"]
    rows += [f"{m.name}={m.value:#04x}" for m in MsgId]
    rows += [f"frame {FRAME_HEADER.format}", f"hello {HELLO.format}", f"identify {IDENTIFY_FIXED.format}"]
    rows += [f"heartbeat {HEARTBEAT.format}", f"set_depth {SET_DEPTH.format}", f"ack {ACK.format}"]
    rows += [f"{f.name}={f.value}" for f in SampleFormat] + [f"{g.name}={g.value}" for g in GeometryKind]
    return "\n".join(rows)


SCHEMA_HASH = crc32(_schema_text().encode())


@dataclass(frozen=True)
class Hello:
    seq: int
    protocol_version: int = PROTOCOL_VERSION


@dataclass(frozen=True)
class Identify:
    seq: int
    protocol_version: int
    schema_hash: int
    max_payload: int
    vendor: str
    model: str
    serial_number: str
    firmware: str


@dataclass(frozen=True)
class Heartbeat:
    seq: int
    uptime_ms: int
    streaming: bool


@dataclass(frozen=True)
class Command:
    """START, STOP (no body) or SET_DEPTH (``depth_end_mm``)."""

    seq: int
    msg_id: MsgId
    depth_end_mm: float = 0.0


@dataclass(frozen=True)
class Ack:
    seq: int
    acked_msg: int
    acked_seq: int
    status: AckStatus


@dataclass(frozen=True)
class FrameGeometry:
    kind: GeometryKind
    depth_start_mm: float
    depth_end_mm: float
    width_mm: float = 0.0
    radius_mm: float = 0.0
    fov_deg: float = 0.0


@dataclass(frozen=True)
class Frame:
    """One frame of scan lines; ``lines`` is a read-only view into the received payload."""

    seq: int
    frame_number: int
    capture_time_us: int
    dropped_frames: int
    geometry: FrameGeometry
    lines: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class BadMessage:
    """A payload that passed the CRC but could not be read; counted, never raised."""

    reason: str
    msg_id: int = -1


Message = Hello | Identify | Heartbeat | Command | Ack | Frame


def _common(msg_id: MsgId, seq: int) -> bytes:
    return COMMON.pack(int(msg_id), 0, seq & 0xFFFF)


def _pack_str(text: str) -> bytes:
    raw = text.encode("utf-8")[:255]
    return bytes((len(raw),)) + raw


def encode(msg: Message) -> bytes:
    """Payload bytes of ``msg`` (framing is the framer's job)."""
    if isinstance(msg, Frame):
        return encode_frame_parts(msg, msg.lines)[0] + np.ascontiguousarray(msg.lines).tobytes()
    if isinstance(msg, Hello):
        return _common(MsgId.HELLO, msg.seq) + HELLO.pack(msg.protocol_version, 0)
    if isinstance(msg, Identify):
        fixed = IDENTIFY_FIXED.pack(msg.protocol_version, msg.schema_hash, msg.max_payload)
        strings = b"".join(_pack_str(s) for s in (msg.vendor, msg.model, msg.serial_number, msg.firmware))
        return _common(MsgId.IDENTIFY, msg.seq) + fixed + strings
    if isinstance(msg, Heartbeat):
        return _common(MsgId.HEARTBEAT, msg.seq) + HEARTBEAT.pack(
            msg.uptime_ms & 0xFFFFFFFF, int(msg.streaming), 0
        )
    if isinstance(msg, Command):
        body = SET_DEPTH.pack(msg.depth_end_mm) if msg.msg_id is MsgId.SET_DEPTH else b""
        return _common(msg.msg_id, msg.seq) + body
    if isinstance(msg, Ack):
        return _common(MsgId.ACK, msg.seq) + ACK.pack(msg.acked_msg, msg.acked_seq, int(msg.status))
    raise TypeError(f"cannot encode {type(msg).__name__}")


def encode_frame_parts(frame: Frame, lines: np.ndarray) -> tuple[bytes, memoryview]:
    """Header bytes and a zero-copy view of the samples, for writers that send both."""
    n_lines, n_samples = lines.shape
    g = frame.geometry
    header = _common(MsgId.FRAME, frame.seq) + FRAME_HEADER.pack(
        frame.frame_number & 0xFFFFFFFF,
        frame.capture_time_us,
        frame.dropped_frames & 0xFFFFFFFF,
        int(SampleFormat.from_dtype(lines.dtype)),
        int(g.kind),
        n_lines,
        n_samples,
        0,
        g.depth_start_mm,
        g.depth_end_mm,
        g.width_mm,
        g.radius_mm,
        g.fov_deg,
    )
    return header, memoryview(np.ascontiguousarray(lines)).cast("B")


def decode(payload: bytes) -> Message | BadMessage:
    """Read one payload; anything unreadable comes back as :class:`BadMessage`."""
    if len(payload) < COMMON.size:
        return BadMessage("payload shorter than the common header")
    msg_id, flags, seq = COMMON.unpack_from(payload)
    body = memoryview(payload)[COMMON.size :]
    try:
        kind = MsgId(msg_id)
    except ValueError:
        return BadMessage(f"unknown message id {msg_id:#04x}", msg_id)
    try:
        return _decode_body(kind, seq, body)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        return BadMessage(f"{kind.name}: {exc}", msg_id)


def _decode_body(kind: MsgId, seq: int, body: memoryview) -> Message | BadMessage:
    if kind is MsgId.FRAME:
        return _decode_frame(seq, body)
    if kind is MsgId.HELLO:
        version, _ = HELLO.unpack_from(body)
        return Hello(seq, version)
    if kind is MsgId.IDENTIFY:
        version, schema, max_payload = IDENTIFY_FIXED.unpack_from(body)
        pos = IDENTIFY_FIXED.size
        texts = []
        for _ in range(4):
            n = body[pos]
            texts.append(bytes(body[pos + 1 : pos + 1 + n]).decode("utf-8"))
            if pos + 1 + n > len(body):
                raise ValueError("string runs past the end")
            pos += 1 + n
        return Identify(seq, version, schema, max_payload, *texts)
    if kind is MsgId.HEARTBEAT:
        uptime, streaming, _ = HEARTBEAT.unpack_from(body)
        return Heartbeat(seq, uptime, bool(streaming))
    if kind is MsgId.SET_DEPTH:
        (depth,) = SET_DEPTH.unpack_from(body)
        if not np.isfinite(depth) or depth <= 0:
            raise ValueError(f"depth {depth} not positive")
        return Command(seq, kind, float(depth))
    if kind in (MsgId.START, MsgId.STOP):
        return Command(seq, kind)
    acked, acked_seq, status = ACK.unpack_from(body)
    return Ack(seq, acked, acked_seq, AckStatus(status))


def _decode_frame(seq: int, body: memoryview) -> Frame | BadMessage:
    (number, t_us, dropped, fmt, kind, n_lines, n_samples, _r, d0, d1, width, radius, fov) = (
        FRAME_HEADER.unpack_from(body)
    )
    sample_format = SampleFormat(fmt)
    geometry = FrameGeometry(GeometryKind(kind), d0, d1, width, radius, fov)
    data = body[FRAME_HEADER.size :]
    expected = n_lines * n_samples * sample_format.dtype.itemsize
    if n_lines < 2 or n_samples < 2:
        return BadMessage(f"FRAME: {n_lines}x{n_samples} is too small", MsgId.FRAME)
    if expected > MAX_LINE_BYTES:
        return BadMessage(f"FRAME: {expected} sample bytes exceed the {MAX_LINE_BYTES} limit", MsgId.FRAME)
    if len(data) != expected:
        return BadMessage(f"FRAME: {len(data)} sample bytes, header says {expected}", MsgId.FRAME)
    if not d1 > d0 >= 0:
        return BadMessage(f"FRAME: depth range {d0}..{d1} mm is invalid", MsgId.FRAME)
    lines = np.frombuffer(data, dtype=sample_format.dtype).reshape(n_lines, n_samples)
    return Frame(seq, number, t_us, dropped, geometry, lines)
