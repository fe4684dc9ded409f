"""The firmware as built (.mpy) on the MicroPython unix port, talking to the host driver over a pty."""

from __future__ import annotations

import time

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import PedalEvent
from sonocart.sim.pedal_board import SimulatedPedalBoard

from .conftest import drain, wait_event


def pedal_events(events: list[object]) -> list[tuple[str, str]]:
    return [(e.pedal, e.kind) for e in events if isinstance(e, PedalEvent)]


def test_bouncy_tap_reaches_the_app_once_as_press_release_tap(sim: SimulatedPedalBoard, host: PedalBoard) -> None:
    drain(host, 0.2)
    sim.press("A", bounce=True)
    time.sleep(0.15)
    sim.release("A", bounce=True)
    assert pedal_events(drain(host)) == [("A", "press"), ("A", "release"), ("A", "tap")]
    assert host.status().duplicates_dropped >= 0
