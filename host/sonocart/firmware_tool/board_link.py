"""Ask a running pedal board who it is over the pedal link (the firmware's own answer)."""

from __future__ import annotations

import time
from pathlib import Path

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import BoardIdentity, LinkEvent


class LinkQueryError(RuntimeError):
    pass


def query_identity(port: str, timeout_s: float = 5.0) -> BoardIdentity:
    """Connect, say HELLO, return the IDENTIFY; raise with the driver's fault text otherwise."""
    if port.startswith("/") and not Path(port).exists():
        raise LinkQueryError(f"pedal board not connected: {port} does not exist")
    driver = PedalBoard(port).start()
    try:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            ev = driver.get_event(left)
            if isinstance(ev, LinkEvent) and ev.kind == "incompatible":
                raise LinkQueryError(ev.detail)
            identity = driver.status().identity
            if identity is not None:
                return identity
        raise LinkQueryError(driver.status().fault or "no answer from the pedal board")
    finally:
        driver.stop()


def request_maintenance(port: str, timeout_s: float = 5.0) -> bool:
    """Ask a running board to reboot into its REPL; False when no compatible board answered."""
    if port.startswith("/") and not Path(port).exists():
        return False
    driver = PedalBoard(port).start()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if driver.status().identity is not None:
                driver.request_maintenance()
                time.sleep(0.3)
                return True
            time.sleep(0.05)
        return False
    finally:
        driver.stop()
