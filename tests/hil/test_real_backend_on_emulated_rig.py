"""The real back end's own machinery, checked on every build: the rig board protocol client, its
clock sync and its light log, against the rig firmware's logic on an emulated rig board.

(``make hil`` runs the whole suite this way too: ``--rig-emulated``.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonocart.devices.pedal_events import PedalEvent
from sonocart.firmware_tool.build import Build

from .emulated_rig_board import EmulatedRigBoard
from .helpers import connected_driver, drain, first_change, pedal_events, tap, wait_event
from .real_rig import RealRig


@pytest.fixture
def emulated(rig_build: Build, tmp_path: Path) -> Iterator[RealRig]:
    board = EmulatedRigBoard(tmp_path, rig_build).start()
    rig = RealRig(board.rig_port, board.pedal_port, board.probe_port).start()
    try:
        yield rig
    finally:
        rig.close()
        board.stop()


def test_rig_clock_is_mapped_onto_host_time_within_one_round_trip(emulated: RealRig) -> None:
    best_rtt = emulated.sync_clock()
    # the emulated rig's clock is the host's monotonic clock: the true offset is zero
    assert abs(emulated._offset) <= best_rtt, (emulated._offset, best_rtt)


def test_rig_board_press_is_one_host_event_and_the_light_change_is_logged_with_rig_time(
    emulated: RealRig,
) -> None:
    with connected_driver(emulated) as host:
        drain(host, 0.3)
        t0 = emulated.press("A")
        ev = wait_event(host, lambda e: isinstance(e, PedalEvent), 2.0)
        emulated.release("A")
        assert isinstance(ev, PedalEvent) and ev.kind == "press" and ev.received > t0
        assert [e.kind for e in pedal_events(drain(host))] == ["release", "tap"]
        before = time.monotonic()
        host.set_indicator("recording")
        seen = first_change(emulated, before, "magenta")
        assert before <= seen.t <= time.monotonic()
        tap(emulated, "B")
        assert emulated.light() == "magenta"
