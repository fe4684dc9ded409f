"""CRC-valid mutated probe frames through the real probe client and the live imaging path.

Each case is a well-formed frame with one kind of damage the CRC cannot see (a geometry value set to
NaN, Inf, 0 or something huge, line/sample counts changed with the samples resized to match, another
sample format or probe kind, a non-finite IQ sample, flipped header bytes) or no damage at all. It is
framed with COBS and a correct CRC and fed to :meth:`ProbeClient.data_received` of a client whose
serial link is really connected (to a pty) and identified; the link's reader thread is idle (nothing
else is written to the pty), so the test thread stands in for it. After each case the live view
polls the latest-frame slot. Shared by the CI test (bounded count) and ``make fuzz`` (bounded time).
"""

from __future__ import annotations

import math
import random
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from cobs import cobs

from sonocart.cart.live import LiveImaging
from sonocart.devices.probe import ProbeClient
from sonocart.sim.pty import PtyEndpoint
from sonocart.wire import probe_codec as pc
from sonocart.wire.framer import encode_frame

SPECIALS = (math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-38, 1e38, -1.0, 3.4e38, 1e-3, 500.0)
BASES = (
    pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, 40.0, 38.0, 0.0, 0.0),
    pc.FrameGeometry(pc.GeometryKind.CONVEX, 0.0, 80.0, 0.0, 40.0, 60.0),
    pc.FrameGeometry(pc.GeometryKind.PHASED, 0.0, 100.0, 0.0, 0.0, 90.0),
)
HEADER_AT = pc.COMMON.size  # geometry floats start 28 bytes into the frame header
FLOATS_AT = HEADER_AT + 24
COUNTS_AT = HEADER_AT + 18  # n_lines, n_samples (u16 each)
FORMAT_AT = HEADER_AT + 16  # sample format, kind (u8 each)


@dataclass
class Tally:
    fed: int = 0
    shown: int = 0  # reached the slot and was rendered
    refused: int = 0  # counted bad frame by the client or codec
    poisoned: int = 0  # cases carrying a non-finite sample: every one must be refused
    controls: int = 0  # undamaged frames: every one must be shown live
    refused_by_kind: dict[str, int] = field(default_factory=dict)  # mutation kind → frames refused


class ManualTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _identify() -> bytes:
    msg = pc.Identify(0, pc.PROTOCOL_VERSION, pc.SCHEMA_HASH, pc.MAX_PAYLOAD, "fuzz", "f", "1", "1")
    return encode_frame(pc.encode(msg), cobs_encode=cobs.encode)


def _base_frame(rnd: random.Random, seq: int) -> tuple[bytearray, np.ndarray]:
    fmt = rnd.choice(list(pc.SampleFormat))
    n_lines, n_samples = rnd.choice(((8, 16), (16, 32), (8, 64)))
    if fmt is pc.SampleFormat.IQ:
        lines = (np.ones((n_lines, n_samples)) * (1 + 1j)).astype(np.complex64)
    else:
        lines = np.full((n_lines, n_samples), 100, dtype=fmt.dtype)
    frame = pc.Frame(seq, seq, seq * 33_000, 0, rnd.choice(BASES), lines)
    return bytearray(pc.encode(frame)), lines


def _mutate(rnd: random.Random, payload: bytearray, lines: np.ndarray) -> tuple[bytes, str]:
    """Damage one aspect; return the payload and what was done."""
    what = rnd.randrange(7)
    if what == 0:
        i = rnd.randrange(5)
        value = rnd.choice(SPECIALS) if rnd.random() < 0.7 else rnd.uniform(-400.0, 400.0)
        struct.pack_into("<f", payload, FLOATS_AT + 4 * i, value)
        return bytes(payload), "geometry"
    if what == 1:
        n_lines, n_samples = rnd.choice((0, 1, 2, 3, 7, 8, 1025, 2000)), rnd.choice((0, 1, 2, 7, 15, 16, 300))
        struct.pack_into("<HH", payload, COUNTS_AT, n_lines, n_samples)
        size = n_lines * n_samples * lines.dtype.itemsize
        body = bytes(payload[: HEADER_AT + pc.FRAME_HEADER.size])
        return body + rnd.randbytes(min(size, 4096)), "shape"
    if what == 2:
        payload[FORMAT_AT + rnd.randrange(2)] = rnd.randrange(6)
        return bytes(payload), "format-or-kind"
    if what == 3 and lines.dtype == np.complex64:
        at = HEADER_AT + pc.FRAME_HEADER.size + 4 * rnd.randrange(lines.size * 2)
        struct.pack_into("<f", payload, at, rnd.choice((math.nan, math.inf, -math.inf)))
        return bytes(payload), "poisoned"
    if what == 4:
        for _ in range(rnd.randrange(1, 5)):
            payload[rnd.randrange(HEADER_AT, HEADER_AT + pc.FRAME_HEADER.size)] = rnd.getrandbits(8)
        return bytes(payload), "header-bytes"
    if what == 5:
        start = HEADER_AT + pc.FRAME_HEADER.size
        for _ in range(rnd.randrange(1, 9)):
            payload[rnd.randrange(start, len(payload))] = rnd.getrandbits(8)
        return bytes(payload), "sample-bytes"
    return bytes(payload), "control"


def _all_finite(frame: pc.Frame) -> bool:
    g = frame.geometry
    header = (g.depth_start_mm, g.depth_end_mm, g.width_mm, g.radius_mm, g.fov_deg)
    return all(math.isfinite(v) for v in header) and bool(np.isfinite(frame.lines).all())


def run(cases: int | None = None, seconds: float | None = None, seed: int = 15) -> Tally:
    """Feed ``cases`` mutated frames (or as many as fit in ``seconds``); any exception escapes."""
    with tempfile.TemporaryDirectory() as tmp:
        ep = PtyEndpoint(Path(tmp) / "probe")
        clock = ManualTime()
        client = ProbeClient(str(ep.link), clock=clock).start()
        try:
            deadline = time.monotonic() + 10.0
            while client.status().identity is None:
                assert time.monotonic() < deadline, "the probe client never connected"
                if ep.read():  # its HELLO: say who we are, through the pty
                    ep.write(_identify())
                time.sleep(0.01)
            ep.read()
            return _feed(client, LiveImaging(client, clock, 32, 24), clock, cases, seconds, seed)
        finally:
            client.stop()
            ep.close()


def _feed(
    client: ProbeClient,
    live: LiveImaging,
    clock: ManualTime,
    cases: int | None,
    seconds: float | None,
    seed: int,
) -> Tally:
    rnd = random.Random(seed)
    tally = Tally()
    deadline = None if seconds is None else time.monotonic() + seconds
    seq = 0
    while (cases is None or tally.fed < cases) and (deadline is None or time.monotonic() < deadline):
        seq = (seq + 1) & 0xFFFF
        payload, lines = _base_frame(rnd, seq)
        data, what = _mutate(rnd, payload, lines)
        before = client.latest.count
        client.data_received(encode_frame(data, cobs_encode=cobs.encode))
        clock.now += 0.01
        view = live.poll()
        tally.fed += 1
        accepted = client.latest.count != before
        if accepted:
            frame, _arrived, _n = client.latest.get()
            assert frame is not None and _all_finite(frame), f"a non-finite {what} frame reached the slot"
            assert view.image is not None and view.liveness.live, (
                f"an accepted {what} frame was not shown live"
            )
            tally.shown += 1
        else:
            tally.refused += 1
            assert not view.liveness.live, f"a refused {what} frame left the view marked live"
            tally.refused_by_kind[what] = tally.refused_by_kind.get(what, 0) + 1
        if what == "poisoned":
            tally.poisoned += 1
            assert not accepted, "a frame with a NaN/Inf sample reached the slot"
            assert "finite" in view.liveness.reason
        if what == "control":
            tally.controls += 1
            assert accepted, "an undamaged frame was refused"
    assert live.render_failures == 0, "the pipeline refused a frame the client had accepted"
    status = client.status()
    assert status.bad_frames == tally.refused, "every refused frame is a counted bad frame"
    assert status.frames == tally.shown
    return tally
