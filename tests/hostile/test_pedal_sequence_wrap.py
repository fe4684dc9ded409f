"""Exactly once over unbounded uptime: > 2 x 65 536 pedal events across many sequence wraps, through the
real host driver on a real pty, with resends and losses injected and counted.

The board here is played by the test through the real codec. Between two events its 16-bit sequence
advances by a random number of frames the host never sees (heartbeats lost on the line), so the
sequence wraps hundreds of times and recent events keep landing on seqs delivered before the wrap —
the situation a board reaches after ~4.5 h of uptime. Its millisecond timestamp also crosses the
firmware's 2**30 tick wrap. The oracle is the test's own list of what it sent.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import LinkEvent, PedalEvent
from sonocart.sim.pty import PtyEndpoint
from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import encode_frame

EVENTS = 2 * 65_536 + 8_000
BOOT = 0x5EED_B007
TICK_WRAP = 1 << 30  # MicroPython's ticks_ms() wraps here


def frame(msg: pc.Msg) -> bytes:
    return encode_frame(pc.encode(msg))


def identify() -> bytes:
    return frame(
        pc.make(
            "IDENTIFY",
            0,
            protocol_version=pc.PROTOCOL_VERSION,
            schema_hash=pc.SCHEMA_HASH,
            boot_id=BOOT,
            uptime_ms=5,
            reset_cause=pc.RESET_POWER_ON,
            firmware_version="t",
            build_hash="t",
            board_id="wrap",
        )
    )


def heartbeat(seq: int, lost: int) -> bytes:
    return frame(
        pc.make(
            "HEARTBEAT", seq, session=BOOT, uptime_ms=0, indicator=pc.IND_IDLE, status=1, lost_events=lost
        )
    )


@pytest.fixture()
def link(tmp_path: Path) -> Iterator[tuple[PtyEndpoint, PedalBoard]]:
    ep = PtyEndpoint(tmp_path / "pedal")
    driver = PedalBoard(str(tmp_path / "pedal")).start()
    deadline = time.monotonic() + 5.0
    identified = False
    while not identified and time.monotonic() < deadline:
        if b"\x00" in ep.read():  # anything from the host (its HELLO): say who we are
            ep.write(identify())
        ep.write(heartbeat(1, 0))
        ev = driver.get_event(0.05)
        identified = isinstance(ev, LinkEvent) and ev.kind == "identified"
    assert identified, "the driver never identified the board"
    yield ep, driver
    driver.stop()
    ep.close()


def test_every_press_is_delivered_once_or_counted_lost_across_many_sequence_wraps(
    link: tuple[PtyEndpoint, PedalBoard],
) -> None:
    ep, driver = link
    rnd = random.Random(15)
    seq = 65_536 - 300
    ts = TICK_WRAP - 40_000
    sent: list[tuple[int, int]] = []  # (seq, board_ts) of every event the host must act on
    lost = resends = wraps = 0
    got: list[PedalEvent] = []
    batch = bytearray()
    for i in range(EVENTS):
        skip = rnd.randrange(0, 900)
        wraps += (seq + skip) >> 16
        seq = (seq + skip) & 0xFFFF
        ts = (ts + rnd.randrange(1, 40)) % TICK_WRAP
        msg = pc.make(
            "PEDAL_EVENT",
            seq,
            pc.FLAG_RELIABLE,
            pedal=i % 2,
            kind=pc.EVENT_NAMES.index("tap"),
            board_ts_ms=ts,
        )
        seq = (seq + 1) & 0xFFFF
        if rnd.random() < 0.02:
            lost += 1  # the board gave up on it (TTL): never sent, reported in its heartbeats
        else:
            sent.append((msg.seq, ts))
            batch += frame(msg)
            while rnd.random() < 0.1:  # its ACK was lost: the board resends the same frame
                batch += frame(msg)
                resends += 1
        if i % 256 == 255:
            batch += heartbeat(seq, lost)
            seq = (seq + 1) & 0xFFFF
            ep.write(bytes(batch))
            batch.clear()
            while ep.busy or len(got) < len(sent) - 2_000:  # keep the host's queue short
                ep.flush()
                ep.read()  # the host's ACKs and heartbeats
                ev = driver.get_event(0.001)
                if isinstance(ev, PedalEvent):
                    got.append(ev)
    ep.write(bytes(batch) + heartbeat(seq, lost))
    deadline = time.monotonic() + 60.0
    while len(got) < len(sent) and time.monotonic() < deadline:
        ep.flush()
        ep.read()
        ev = driver.get_event(0.01)
        if isinstance(ev, PedalEvent):
            got.append(ev)
    time.sleep(0.2)
    while (ev := driver.get_event(0.05)) is not None:
        assert not isinstance(ev, PedalEvent), f"an event delivered twice or from nowhere: {ev}"

    assert wraps > 2 * 65_536 // 900  # hundreds of wraps: every recent seq has been used before
    assert len(sent) + lost == EVENTS and len(sent) > 2 * 65_536
    assert [(e.seq, e.board_ts) for e in got] == sent  # each once, in order, none dropped
    assert len({e.press_id for e in got}) == len(sent)  # the record's identity never repeats
    status = driver.status()
    assert status.events_delivered == len(sent)
    assert status.duplicates_dropped == resends
    assert status.lost_events == lost  # what did not arrive is counted, exactly
