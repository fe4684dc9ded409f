"""Pedal press → host event: each press arrives exactly once; latency measured and reported."""

from __future__ import annotations

import time

from sonocart.devices.pedal_events import PedalEvent

from .conftest import Recorder
from .helpers import connected_driver, drain, pedal_events, wait_event
from .interface import Rig

PRESSES = 20


def test_each_pedal_press_reaches_the_host_exactly_once_with_latency_reported(
    rig: Rig, figures: Recorder
) -> None:
    with connected_driver(rig) as host:
        drain(host, 0.3)
        latencies: list[float] = []
        got: list[PedalEvent] = []
        for i in range(PRESSES):
            pedal = "AB"[i % 2]
            t0 = rig.press(pedal)
            ev = wait_event(host, lambda e: isinstance(e, PedalEvent) and e.kind == "press", 2.0)
            assert isinstance(ev, PedalEvent), f"press {i} of pedal {pedal} never reached the host"
            latencies.append((ev.received - t0) * 1000)
            got.append(ev)
            time.sleep(0.05)
            rig.release(pedal)
            got += pedal_events(drain(host, 0.15))
        got += pedal_events(drain(host, 0.4))
    expected = [("AB"[i % 2], kind) for i in range(PRESSES) for kind in ("press", "release", "tap")]
    assert [(e.pedal, e.kind) for e in got] == expected  # none lost, none doubled, in order
    assert len({(e.boot_id, e.seq) for e in got}) == len(got)
    figures("press to host event", latencies, "ms")
