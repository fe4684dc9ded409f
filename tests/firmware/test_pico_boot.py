"""The firmware's boot and watchdog on the real rp2 port (the emulated Pico).

- A host that writes 0x03-bearing frames from the first moment the port exists after a reset
  (the board still importing its modules) must not stop it at the REPL: main.py turns Ctrl-C
  off before anything else. Run over 20 resets with the port appearing as soon as the USB
  device enumerates (no host enumeration delay: the most hostile host).
- A hung task (the pedals task stuck in an await) makes the health check stop feeding
  machine.WDT, and the chip resets within docs/firmware.md's ~2.5 s (board clock).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest
import serial

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import FaultEvent
from sonocart.wire import pedal_codec as pc
from sonocart.wire.framer import Framer, encode_frame
from tools.emulated_pico.pico import PicoEvent

from .. import rp2

pytestmark = [pytest.mark.rp2, pytest.mark.slow]

RESETS = 20
# Watchdog 2000 ms after the last feed; the last feed comes at most 500 ms (stale limit) plus one
# 100 ms health period after the task hung (firmware/app.py: WDT_TIMEOUT_MS, TASK_STALE_MS).
WATCHDOG_RESET_MS = (2000, 2700)


def hello_with_ctrl_c(seq: int) -> bytes:
    frame = encode_frame(
        pc.encode(
            pc.make(
                "HELLO", seq, 0, protocol_version=pc.PROTOCOL_VERSION, schema_hash=pc.SCHEMA_HASH,
                session=0x03030303,
            )
        )
    )  # fmt: skip
    assert 0x03 in frame
    return frame


def host_from_first_moment(link: Path, timeout_s: float) -> tuple[float | None, bytes]:
    """Open ``link`` as soon as it exists and keep writing HELLOs holding 0x03 until the board
    answers IDENTIFY; return (seconds from the link appearing to IDENTIFY or None, bytes read)."""
    deadline = time.monotonic() + timeout_s
    while not os.path.exists(link):
        if time.monotonic() > deadline:
            return None, b""
        time.sleep(0.001)
    appeared = time.monotonic()
    got: list[pc.Msg | pc.Bad] = []
    framer = Framer(lambda p: got.append(pc.decode(p)), pc.MAX_PAYLOAD)
    raw = bytearray()
    with serial.Serial(str(link), timeout=0) as port:
        seq = 0
        while time.monotonic() < deadline:
            seq += 1
            port.write(hello_with_ctrl_c(seq))
            data = port.read(4096)
            raw += data
            framer.feed(data)
            if any(isinstance(m, pc.Msg) and m.msg_id == pc.IDENTIFY for m in got):
                return time.monotonic() - appeared, bytes(raw)
            time.sleep(0.005)
    return None, bytes(raw)


def test_host_writing_ctrl_c_from_the_first_moment_never_stops_the_boot(
    pico_image: Path, tmp_path: Path
) -> None:
    board = rp2.board_from(pico_image, tmp_path / "board", powered=False, enumerate_ms=0)
    try:
        up: list[float] = []
        for i in range(RESETS):
            board.power_on() if i == 0 else board.reset()
            took, raw = host_from_first_moment(board.link_path, 20.0)
            assert b"KeyboardInterrupt" not in raw and b">>> " not in raw, (i, raw[-300:])
            assert took is not None, f"reset {i}: no IDENTIFY; the board sent {raw[-300:]!r}"
            up.append(took)
        figure = {"median": round(statistics.median(up), 2), "max": round(max(up), 2)}
        rp2.record_figure("link_appears_to_identify_s", figure)
    finally:
        board.stop()


def test_a_hung_task_resets_the_board_through_the_watchdog_in_the_documented_time(
    pico_image: Path, tmp_path: Path
) -> None:
    board = rp2.board_from(pico_image, tmp_path / "board")
    host = PedalBoard(str(board.link_path)).start()
    try:
        mark = board.pico.event_count()
        hung_at = board.stall()
        # waited for on the board's clock: a hung task busy-loops, which a loaded host emulates at
        # a fraction of real time (the board's clock then falls seconds behind the wall clock)
        seen: list[PicoEvent] = []

        def expired() -> bool:
            seen[:] = [e for e in board.pico.events(mark) if e.kind == "watchdog"][:1]
            return bool(seen)

        rp2.wait_board(board.pico, expired, WATCHDOG_RESET_MS[1] + 2000)
        expiry = seen[0] if seen else None
        assert expiry is not None and expiry.data["reason"] == "timer", "no watchdog expiry"
        reset_ms = expiry.board_ms - hung_at
        rp2.record_figure("hung_task_to_watchdog_reset_ms", round(reset_ms))
        assert WATCHDOG_RESET_MS[0] <= reset_ms <= WATCHDOG_RESET_MS[1], reset_ms
        deadline = time.monotonic() + 15.0
        fault = None
        while fault is None and time.monotonic() < deadline:
            ev = host.get_event(0.2)
            if isinstance(ev, FaultEvent) and ev.fault == "watchdog_reset":
                fault = ev
        assert fault is not None and fault.active, "host never told of the watchdog reset"
        ident = host.status().identity
        assert ident is not None and ident.reset_cause == "watchdog"
    finally:
        host.stop()
        board.stop()
