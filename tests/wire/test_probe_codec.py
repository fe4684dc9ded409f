"""Probe link codec: every message survives a round trip; unreadable payloads are counted, not raised."""

from __future__ import annotations

import numpy as np
import pytest

from sonocart.wire import probe_codec as pc

GEOMETRY = pc.FrameGeometry(pc.GeometryKind.CONVEX, 0.0, 80.0, 0.0, 40.0, 60.0)


def _frame(dtype: type, seq: int = 5, shape: tuple[int, int] = (16, 32)) -> pc.Frame:
    rng = np.random.default_rng(seq)
    if dtype is np.complex64:
        lines = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    else:
        lines = rng.integers(0, np.iinfo(dtype).max, size=shape, dtype=dtype)
    return pc.Frame(seq, 1234, 1_700_000_000_000_000, 7, GEOMETRY, lines)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.complex64])
def test_frame_round_trips_with_header_and_samples(dtype: type) -> None:
    sent = _frame(dtype)
    got = pc.decode(pc.encode(sent))
    assert isinstance(got, pc.Frame)
    assert (got.seq, got.frame_number, got.capture_time_us, got.dropped_frames) == (
        5,
        1234,
        sent.capture_time_us,
        7,
    )
    assert got.geometry == GEOMETRY
    assert got.lines.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got.lines, sent.lines)


def test_frame_header_is_64_bytes() -> None:
    assert pc.COMMON.size + pc.FRAME_HEADER.size == 64


@pytest.mark.parametrize(
    "msg",
    [
        pc.Hello(1),
        pc.Identify(2, 1, pc.SCHEMA_HASH, pc.MAX_PAYLOAD, "Vendor", "Model ü", "SN-1", "1.2.3"),
        pc.Heartbeat(3, 123456, True),
        pc.Command(4, pc.MsgId.START),
        pc.Command(5, pc.MsgId.STOP),
        pc.Command(6, pc.MsgId.SET_DEPTH, 62.5),
        pc.Ack(7, int(pc.MsgId.SET_DEPTH), 6, pc.AckStatus.BAD_ARGUMENT),
    ],
)
def test_control_messages_round_trip(msg: pc.Message) -> None:
    assert pc.decode(pc.encode(msg)) == msg


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\x10", "shorter than the common header"),
        (b"\x7e\x00\x00\x00", "unknown message id"),
        (pc.encode(_frame(np.uint16))[:-1], "sample bytes, header says"),
        (pc.encode(pc.Command(1, pc.MsgId.SET_DEPTH, 50.0))[:-2], "SET_DEPTH"),
        (pc.encode(pc.Command(1, pc.MsgId.SET_DEPTH, -5.0)), "not positive"),
        (pc.encode(pc.Identify(2, 1, 0, 0, "a", "b", "c", "d"))[:-2], "IDENTIFY"),
    ],
)
def test_unreadable_payload_becomes_bad_message(payload: bytes, reason: str) -> None:
    got = pc.decode(payload)
    assert isinstance(got, pc.BadMessage)
    assert reason in got.reason


def test_frame_larger_than_limit_is_refused_before_reading_samples() -> None:
    header = bytearray(pc.encode(_frame(np.uint8, shape=(2, 2)))[:64])
    # claim 4096 x 4096 uint16 = 32 MiB of samples
    header[4 + 18 : 4 + 22] = (4096).to_bytes(2, "little") + (4096).to_bytes(2, "little")
    got = pc.decode(bytes(header))
    assert isinstance(got, pc.BadMessage) and "exceed" in got.reason


def test_schema_hash_changes_when_the_table_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = pc.crc32(pc._schema_text().encode())
    monkeypatch.setattr(pc, "FRAME_HEADER", pc.struct.Struct("<IQIBBHHH5f15xB"))
    assert pc.crc32(pc._schema_text().encode()) != before
    assert before == pc.SCHEMA_HASH
