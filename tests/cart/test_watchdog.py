"""sd_notify from the core's pump, received on a real AF_UNIX datagram socket as systemd would."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonocart.cart.cart import Cart
from sonocart.cart.settings import UiSettings
from sonocart.cart.watchdog import Watchdog
from sonocart.clock import ManualClock
from sonocart.devices.probe import ProbeClient
from sonocart.procedures.catalogue import load_catalogue


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.setblocking(False)
    yield sock, path
    sock.close()


def received(sock: socket.socket) -> list[str]:
    out = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


def test_ready_once_then_a_ping_every_half_period_and_none_in_between(
    notify_socket: tuple[socket.socket, str],
) -> None:
    sock, path = notify_socket
    clock = ManualClock()
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": str(os.getpid())}
    dog = Watchdog.from_environment(clock.monotonic, env)
    dog.tick()
    assert received(sock) == ["READY=1\nSTATUS=cart running", "WATCHDOG=1"]
    clock.advance(4.9)
    dog.tick()
    assert received(sock) == []
    clock.advance(0.2)  # 5.1 s: past half of WatchdogSec=10
    dog.tick()
    assert received(sock) == ["WATCHDOG=1"]


def test_abstract_namespace_sockets_are_reached() -> None:
    name = f"sonocart-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    try:
        Watchdog(f"@{name}", None, ManualClock().monotonic).tick()
        assert sock.recv(100) == b"READY=1\nSTATUS=cart running"
    finally:
        sock.close()


def test_nothing_is_sent_without_systemd_or_for_another_pid(notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    clock = ManualClock()
    Watchdog.from_environment(clock.monotonic, {}).tick()
    other = Watchdog.from_environment(
        clock.monotonic, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"}
    )
    other.tick()
    assert received(sock) == ["READY=1\nSTATUS=cart running"]  # ready, but the watchdog is another process's
    clock.advance(10)
    other.tick()
    assert received(sock) == []


def test_the_carts_pump_is_the_health_tick(
    notify_socket: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sock, path = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    clock = ManualClock()
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp_path / "records",
        clock=clock,
        settings=UiSettings(),
        probe=ProbeClient("/nonexistent/probe", clock=clock.monotonic),
        image_size=(64, 48),
    )
    assert received(sock) == []  # constructed is not ready: only a running pump is
    cart.pump()
    assert received(sock) == ["READY=1\nSTATUS=cart running", "WATCHDOG=1"]
    clock.advance(1.01)
    cart.pump()
    assert received(sock) == ["WATCHDOG=1"]
