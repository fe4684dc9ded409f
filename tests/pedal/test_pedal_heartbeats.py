"""Heartbeats stop while the port stays open (a hung host), then come back; and the control socket."""

from __future__ import annotations

import socket
import time

import pytest
import serial

from sonocart.sim.pedal_board import SimulatedPedalBoard
from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import Framer, encode_frame

from .. import rp2
from .conftest import BoardUnderTest

pytestmark = pytest.mark.micropython  # the firmware as built (unix port and emulated Pico)

YELLOW = (255, 160, 0)


class RawHost:
    """A host speaking the codec directly on the port, to stop heartbeats without closing it."""

    def __init__(self, port: str, board: object, session: int = 77) -> None:
        self.board = board
        self.ser = serial.Serial(port, timeout=0.02)
        self.session = session
        self.seq = 0
        self.rx: list[pc.Msg] = []
        self.framer = Framer(self._on, pc.MAX_PAYLOAD)

    def _on(self, payload: bytes) -> None:
        msg = pc.decode(payload)
        if isinstance(msg, pc.Msg):
            self.rx.append(msg)
            if msg.reliable:
                self.send("ACK", acked_seq=msg.seq)

    def send(self, name: str, **fields: int) -> None:
        self.seq += 1
        self.ser.write(encode_frame(pc.encode(pc.make(name, self.seq, **fields))))

    def run(self, seconds: float, heartbeats: bool) -> None:
        """Beat (or not) and read for ``seconds`` of the board's own clock (an emulated Pico may
        run behind the wall clock: each byte reaches it at its own now, in the order written)."""
        end = rp2.BoardDeadline(self.board, seconds * 1000)
        next_beat = 0.0
        while not end.passed():
            if heartbeats and time.monotonic() >= next_beat:
                self.send("HEARTBEAT", session=self.session)
                next_beat = time.monotonic() + 0.2
            self.framer.feed(self.ser.read(256))


@pytest.mark.board_clock  # the host's heartbeats reach the board at its own now; windows on its clock
def test_heartbeats_stopping_on_an_open_port_give_host_lost_and_their_return_clears_it(
    sim: BoardUnderTest,
) -> None:
    host = RawHost(str(sim.link_path), sim)
    try:
        host.send("HELLO", protocol_version=pc.PROTOCOL_VERSION, schema_hash=pc.SCHEMA_HASH, session=77)
        host.send("SET_INDICATOR", state=pc.IND_READY)
        host.run(0.6, heartbeats=True)
        assert sim.light() == (0, 200, 0)
        host.run(1.2, heartbeats=False)  # the host hangs; the port stays open
        assert sim.light() in (YELLOW, (0, 0, 0)), "board did not show host lost by itself"
        assert any(m.name == "HEARTBEAT" and m.get("status") & pc.HB_HOST_LOST for m in host.rx)
        host.rx.clear()
        host.run(0.6, heartbeats=True)  # the same host comes back
        assert sim.light() == (24, 24, 24)  # idle: after host lost the board waits to be told again
        beats = [m for m in host.rx if m.name == "HEARTBEAT"]
        assert beats and not beats[-1].get("status") & pc.HB_HOST_LOST
    finally:
        host.ser.close()


def test_control_socket_speaks_the_line_protocol(unix_sim: SimulatedPedalBoard) -> None:
    sim = unix_sim
    assert sim.control_path is not None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(sim.control_path))
        f = s.makefile("rw")

        def ask(line: str) -> str:
            f.write(line + "\n")
            f.flush()
            return f.readline().strip()

        assert ask("boot").startswith("boot ")
        assert ask("light") in ("rgb 255 160 0", "rgb 0 0 0")  # no host yet: host lost, flashing
        assert ask("press A") == "ok"
        assert ask("release A") == "ok"
        assert ask("press Z").startswith("error")
        assert ask("frobnicate").startswith("error")
        assert ask("buzzer") in ("buzzer 0", "buzzer 1")


def test_control_client_presses_pedals_of_a_board_it_did_not_start(unix_sim: SimulatedPedalBoard) -> None:
    sim = unix_sim
    from sonocart.devices.pedal import PedalBoard
    from sonocart.devices.pedal_events import LinkEvent, PedalEvent
    from sonocart.sim.pedal_control import ControlError, PedalSimClient

    from .conftest import drain, wait_event

    assert sim.control_path is not None
    client = PedalSimClient(sim.control_path)
    driver = PedalBoard(str(sim.link_path)).start()
    try:
        assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0)
        drain(driver, 0.2)
        client.press("B")
        time.sleep(0.1)
        client.release("B")
        got = [(e.pedal, e.kind) for e in drain(driver, expect=3) if isinstance(e, PedalEvent)]
        assert got == [("B", "press"), ("B", "release"), ("B", "tap")]
        deadline = time.monotonic() + 2.0
        while client.light() != (24, 24, 24) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.light() == (24, 24, 24)  # idle, read back through the socket
        with pytest.raises(ControlError):
            client.command("press Q")
    finally:
        driver.stop()
        client.close()
