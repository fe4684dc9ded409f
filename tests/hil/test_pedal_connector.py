"""The pedal connector and the board's power, switched by the rig: the cart shows the fault, acts on
nothing the pulled pedals seem to do, and takes taps again by itself once they are back."""

from __future__ import annotations

import time
from pathlib import Path

from .helpers import board_pause, gestures, running_cart, tap, wait_for
from .interface import Rig


def test_pulled_pedal_connector_is_a_fault_its_contacts_are_ignored_and_replug_restores_taps(
    rig: Rig, tmp_path: Path
) -> None:
    with running_cart(rig, tmp_path) as cart:
        cart.open_example()
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light")
        mark = cart.mark()
        rig.pedal_unplug()
        fault = cart.wait("device", lambda d: d["device"] == "pedal" and d["fault"] != "", 3.0, since=mark)
        tap(rig, "A")
        board_pause(rig, 0.5)  # what the board would make of it, on its own clock
        assert gestures(cart, mark) == []  # nothing invented from a pulled connector
        mark = cart.mark()
        rig.pedal_replug()
        cart.wait("device", lambda d: d["device"] == "pedal" and d["fault"] == "", 3.0, since=mark)
        tap(rig, "B")
        done = cart.wait("pedal", since=mark, timeout=3.0).data
        board_pause(rig, 0.4)  # a late duplicate would land now
        assert [(g["pedal"], g["gesture"]) for g in gestures(cart, mark)] == [("B", "tap")]
    assert "unplugged" in fault.data["fault"] or "pedal" in fault.data["fault"], fault.data
    assert done["outcome"] == "done"


def test_power_cycled_board_reconnects_by_itself_and_reports_a_power_on_boot(
    rig: Rig, tmp_path: Path
) -> None:
    with running_cart(rig, tmp_path) as cart:
        cart.open_example()
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light")
        mark = cart.mark()
        rig.board_power(False)
        cart.wait("device", lambda d: d["device"] == "pedal" and not d["connected"], 5.0, since=mark)
        time.sleep(0.5)  # unpowered: the board has no clock; the host's time
        mark = cart.mark()
        rig.board_power(True)
        cart.wait("device", lambda d: d["device"] == "pedal" and d["connected"], 15.0, since=mark)
        assert cart.command("status")["pedal"]["reset_cause"] == "power_on"
        wait_for(lambda: rig.light() == "blue", 10.0, "the imaging light again")
        mark = cart.mark()
        tap(rig, "A")
        cart.wait("pedal", since=mark, timeout=3.0)
        board_pause(rig, 0.4)
        assert [(g["pedal"], g["gesture"]) for g in gestures(cart, mark)] == [("A", "tap")]
