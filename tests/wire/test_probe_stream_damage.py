"""A damaged byte stream never raises, and every undamaged frame after the damage still comes out."""

from __future__ import annotations

import numpy as np
from cobs import cobs
from hypothesis import given, settings
from hypothesis import strategies as st

from sonocart.wire import probe_codec as pc
from sonocart.wire.framer import Framer, encode_frame
from sonocart.wire.sequence import GapTracker

N_FRAMES = 12
GEOMETRY = pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, 40.0, 38.0, 0.0, 0.0)


def _wire_frames() -> list[bytes]:
    out = []
    for i in range(N_FRAMES):
        lines = np.full((4, 24), i, dtype=np.uint16)
        lines[:, i % 24] = 0  # zero bytes inside the payload exercise COBS
        out.append(
            encode_frame(pc.encode(pc.Frame(i, i, i * 1000, 0, GEOMETRY, lines)), cobs_encode=cobs.encode)
        )
    return out


WIRE = _wire_frames()


class Receiver:
    def __init__(self) -> None:
        self.frames: list[pc.Frame] = []
        self.bad = 0
        self.gaps = GapTracker()
        self.framer = Framer(self._on_payload, pc.MAX_PAYLOAD, cobs_decode=cobs.decode)

    def _on_payload(self, payload: bytes) -> None:
        msg = pc.decode(payload)
        if isinstance(msg, pc.Frame):
            self.gaps.observe(msg.seq)
            self.frames.append(msg)
        else:
            self.bad += 1


def _receive(stream: bytes, chunk: int) -> Receiver:
    rx = Receiver()
    for i in range(0, len(stream), chunk):
        rx.framer.feed(stream[i : i + chunk])
    return rx


def test_clean_stream_split_at_every_offset_yields_every_frame() -> None:
    stream = b"".join(WIRE[:3])
    for cut in range(len(stream) + 1):
        rx = Receiver()
        rx.framer.feed(stream[:cut])
        rx.framer.feed(stream[cut:])
        assert [f.seq for f in rx.frames] == [0, 1, 2], cut


Damage = st.sampled_from(["flip", "drop", "insert", "truncate", "garbage"])


@settings(max_examples=300, deadline=None)
@given(
    damaged=st.sets(st.integers(0, N_FRAMES - 1), min_size=1, max_size=4),
    kind=Damage,
    where=st.floats(0.0, 1.0),
    noise=st.binary(min_size=1, max_size=40),
    bit=st.integers(0, 7),
    chunk=st.integers(1, 400),
)
def test_damage_loses_only_the_damaged_frames_and_counts_the_gaps(
    damaged: set[int], kind: str, where: float, noise: bytes, bit: int, chunk: int
) -> None:
    stream = bytearray()
    lost = set()
    for i, wire in enumerate(WIRE):
        frame = bytearray(wire)
        if i in damaged:
            pos = 1 + int(where * (len(frame) - 3))  # inside the frame, not its delimiters
            if kind == "flip":
                frame[pos] ^= 1 << bit
            elif kind == "drop":
                del frame[pos]
            elif kind == "insert":
                frame[pos:pos] = noise
            elif kind == "truncate":
                frame = frame[:pos]  # the rest of the frame never arrives
            else:  # noise between frames
                stream.extend(noise)
            # Lost exactly when its packet no longer stands intact between two delimiters
            # (a lone 0x00 inserted at a frame edge, say, damages nothing).
            if wire[1:-1] not in bytes(frame).split(b"\x00"):
                lost.add(i)
        stream.extend(frame)
    rx = _receive(bytes(stream), chunk)
    got = [f.seq for f in rx.frames]
    expected = [i for i in range(N_FRAMES) if i not in lost]
    # A CRC-32 collision could in principle let a damaged frame through; it never may reorder or duplicate.
    assert got == expected
    assert rx.gaps.missing == sum(
        1 for i in lost if i > min(expected, default=N_FRAMES) and i < max(expected, default=-1)
    )
    for f in rx.frames:
        np.testing.assert_array_equal(f.lines[:, (f.seq + 1) % 24], f.seq)


def test_gap_tracker_counts_missing_sequence_numbers_across_wraparound() -> None:
    g = GapTracker()
    for seq in (65533, 65534, 1, 2, 5):
        g.observe(seq)
    assert g.missing == 2 + 2  # 65535, 0 then 3, 4
    assert g.resets == 0


def test_gap_tracker_treats_a_large_backward_jump_as_a_sender_restart() -> None:
    g = GapTracker()
    for seq in (40000, 40001, 39000, 39001):
        g.observe(seq)
    assert (g.missing, g.resets) == (0, 1)
