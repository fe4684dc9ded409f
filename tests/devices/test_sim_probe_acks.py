"""The simulated probe's answers to SET_DEPTH, read byte by byte from the layout in
docs/protocols/probe-link.md (COBS, CRC-32, struct), not through the host's codec."""

from __future__ import annotations

import binascii
import struct

import pytest
from cobs import cobs

from sonocart.imaging.geometry import Geometry
from sonocart.sim.probe_device import SimulatedProbeDevice

ACK_ID, SET_DEPTH_ID = 0x30, 0x22


def _set_depth_frame(seq: int, depth_mm: float) -> bytes:
    payload = struct.pack("<BBHf", SET_DEPTH_ID, 0, seq, depth_mm)
    return b"\x00" + cobs.encode(payload + struct.pack("<I", binascii.crc32(payload))) + b"\x00"


def _acks(wire: list[bytes]) -> list[tuple[int, int, int]]:
    """(acked message id, acked seq, status) of every ACK the device sent."""
    out = []
    for chunk in b"".join(wire).split(b"\x00"):
        if not chunk:
            continue
        raw = cobs.decode(chunk)
        payload, (crc,) = raw[:-4], struct.unpack("<I", raw[-4:])
        assert crc == binascii.crc32(payload)
        if payload[0] == ACK_ID:
            out.append(struct.unpack_from("<BHB", payload, 4))
    return out


@pytest.mark.parametrize(
    ("depth", "status", "applied"),
    [(55.0, 0, 55.0), (160.0, 0, 160.0), (9.0, 1, 80.0), (500.0, 1, 80.0), (0.0, None, 80.0)],
)
def test_the_simulator_applies_a_depth_in_its_range_and_refuses_one_outside(
    depth: float, status: int | None, applied: float
) -> None:
    wire: list[bytes] = []
    device = SimulatedProbeDevice(
        Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0), wire.append, lambda: 0.0
    )
    device.feed(_set_depth_frame(41, depth))
    # A depth of 0 is not even a readable SET_DEPTH (the codec wants a positive depth): no answer at all.
    assert _acks(wire) == ([] if status is None else [(SET_DEPTH_ID, 41, status)])
    assert device.geometry.depth_end_mm == applied


def test_a_simulator_that_cannot_change_depth_says_so() -> None:
    wire: list[bytes] = []
    device = SimulatedProbeDevice(
        Geometry("linear", 0.0, 40.0, width_mm=38.0), wire.append, lambda: 0.0, depth_range_mm=None
    )
    device.feed(_set_depth_frame(3, 30.0))
    assert _acks(wire) == [(SET_DEPTH_ID, 3, 2)]  # 2: unsupported
    assert device.geometry.depth_end_mm == 40.0
