"""The pedal connector and the board's power, switched by the rig: faults shown, nothing invented."""

from __future__ import annotations

import time

from sonocart.devices.pedal_events import FaultEvent, LinkEvent

from .helpers import connected_driver, drain, pedal_events, tap, wait_event
from .interface import Rig


def test_pulled_pedal_connector_is_a_fault_its_contacts_are_ignored_and_replug_restores_taps(
    rig: Rig,
) -> None:
    with connected_driver(rig) as host:
        drain(host, 0.3)
        rig.pedal_unplug()
        ev = wait_event(host, lambda e: isinstance(e, FaultEvent), 3.0)
        assert isinstance(ev, FaultEvent) and (ev.fault, ev.active) == ("pedal_unplugged", True)
        tap(rig, "A")
        assert pedal_events(drain(host, 0.4)) == []
        rig.pedal_replug()
        cleared = wait_event(host, lambda e: isinstance(e, FaultEvent), 3.0)
        assert isinstance(cleared, FaultEvent) and (cleared.fault, cleared.active) == (
            "pedal_unplugged",
            False,
        )
        tap(rig, "B")
        assert [(e.pedal, e.kind) for e in pedal_events(drain(host))] == [
            ("B", "press"),
            ("B", "release"),
            ("B", "tap"),
        ]


def test_power_cycled_board_reconnects_by_itself_and_reports_a_power_on_boot(rig: Rig) -> None:
    with connected_driver(rig) as host:
        rig.board_power(False)
        assert wait_event(host, lambda e: isinstance(e, LinkEvent) and e.kind == "disconnected", 5.0)
        time.sleep(0.5)
        rig.board_power(True)
        assert wait_event(host, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 15.0)
        ident = host.status().identity
        assert ident is not None and ident.reset_cause == "power_on"
        drain(host, 0.3)
        tap(rig, "A")
        assert [e.kind for e in pedal_events(drain(host))] == ["press", "release", "tap"]
