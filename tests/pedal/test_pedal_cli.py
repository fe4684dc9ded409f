"""``sonocart firmware sim`` as its own process, and port discovery by USB id."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from pytest_mock import MockerFixture

from sonocart.commands.firmware import resolve_port
from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import LinkEvent

from .conftest import wait_event


def test_firmware_sim_command_serves_a_board_until_terminated(tmp_path: Path) -> None:
    link, ctl = tmp_path / "pedal", tmp_path / "pedal.ctl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sonocart", "firmware", "sim", "--link", str(link), "--control", str(ctl)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (link.exists() and ctl.exists()) and time.monotonic() < deadline:
            time.sleep(0.05)
        driver = PedalBoard(str(link)).start()
        try:
            assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0)
        finally:
            driver.stop()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert not link.exists() and not ctl.exists()


def test_port_is_found_by_the_pedal_boards_usb_id(mocker: MockerFixture) -> None:
    ports = [
        SimpleNamespace(device="/dev/ttyACM0", vid=0x1209, pid=0x5C01, serial_number="probe"),
        SimpleNamespace(device="/dev/ttyACM1", vid=0x2E8A, pid=0x0005, serial_number="E66038B7138F2B2D"),
    ]
    mocker.patch("sonocart.devices.discovery.list_ports.comports", return_value=ports)
    assert resolve_port(None) == "/dev/ttyACM1"
    assert resolve_port("/dev/other") == "/dev/other"
    mocker.patch("sonocart.devices.discovery.list_ports.comports", return_value=ports[:1])
    assert resolve_port(None) == "/dev/sonocart-pedal"
