"""The firmware as built (.mpy), talking to the host driver over a pty, on the unix port and on the
emulated Pico (the ``sim`` fixture runs each case on both boards, see conftest.py). Cases that need a
connected board in its usual state, not a fresh boot, share one per kind (``shared_sim``)."""

from __future__ import annotations

import time

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import FaultEvent, LinkEvent, PedalEvent
from sonocart.wire import pedal_codec as pc

from .. import rp2
from .conftest import (
    BoardUnderTest,
    clock_ms,
    collect_until,
    drain,
    on_board,
    record,
    wait_event,
)

YELLOW = (255, 160, 0)
BLUE = (0, 0, 255)

# The firmware as built, judged on the board's own clock both ways: waits are deadlines on it, and
# what the host sends (HELLO, ACKs, heartbeats) and the pedals it moves reach the emulated Pico at
# its own now, so a round trip through the host is as prompt on the board's clock however far it
# runs behind the wall clock (tools/emulated_pico/board.mjs). Until r11 the host's answers reached
# it a lag late (at SONOCART_EMULATOR_DUTY=0.4, 4 s behind: press, release, no tap within 5 s), and
# these cases were excused by a lag; in CI (board_clock) they no longer are. Not marked: the cases
# that reboot the board (reset, power cycle, watchdog) and then need the host driver's wall-clock
# limits (a board silent for 1 s) to hold while MicroPython boots, busy, at the emulator's speed.
pytestmark = pytest.mark.micropython


def pedal_events(events: list[object]) -> list[tuple[str, str]]:
    return [(e.pedal, e.kind) for e in events if isinstance(e, PedalEvent)]


def faults(events: list[object]) -> list[tuple[str, bool, int]]:
    return [(e.fault, e.active, e.arg) for e in events if isinstance(e, FaultEvent)]


@pytest.mark.board_clock
def test_bouncy_tap_reaches_the_app_once_as_press_release_tap(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    sim.press("A", bounce=True)
    rp2.board_window(sim, 150)  # held 150 ms of the board's clock
    sim.release("A", bounce=True)
    events = drain(host, expect=3)
    assert pedal_events(events) == [("A", "press"), ("A", "release"), ("A", "tap")]
    seqs = [e.seq for e in events if isinstance(e, PedalEvent)]
    assert len(set(seqs)) == 3


@pytest.mark.board_clock
def test_hold_is_reported_while_held_and_never_also_as_a_tap(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    sim.press("B")
    held = wait_event(host, lambda e: isinstance(e, PedalEvent) and e.kind == "hold", 2.0)
    assert isinstance(held, PedalEvent) and held.pedal == "B"
    sim.release("B")
    assert pedal_events(drain(host, expect=1)) == [("B", "release")]


@pytest.mark.board_clock
def test_both_pedals_at_once_each_give_their_own_events_once(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    sim.press("A")
    sim.press("B")
    # a heartbeat (every 250 ms of the board's clock) reports both down
    assert rp2.wait_board(sim, lambda: host.status().pedals_down == ("A", "B"), 400), host.status()
    sim.release("A")
    sim.release("B")
    got = pedal_events(drain(host, expect=6))
    for pedal in ("A", "B"):
        assert [k for p, k in got if p == pedal] == ["press", "release", "tap"], got


@pytest.mark.board_clock
def test_self_test_reports_pedal_presence(shared_host: PedalBoard) -> None:
    from sonocart.devices.pedal_events import SelfTestResult

    host = shared_host
    host.self_test()
    ev = wait_event(host, lambda e: isinstance(e, SelfTestResult), 4.0)
    assert isinstance(ev, SelfTestResult) and ev.passed and ev.pedal_present


@pytest.mark.board_clock
def test_indicator_commands_are_acknowledged_and_shown(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    for state, colour in (("ready", (0, 200, 0)), ("alarm_low", (0, 200, 200)), ("recording", (200, 0, 200))):
        host.set_indicator(state)
        assert rp2.wait_board(sim, lambda c=colour: sim.light() == c, 2000), state
    assert rp2.wait_board(sim, lambda: host.status().indicator == "recording", 400), host.status()
    with pytest.raises(ValueError):
        host.set_indicator(pc.IND_HOST_LOST)


@pytest.mark.board_clock
def test_unplugged_pedal_is_a_fault_until_replugged_and_its_contacts_are_ignored(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    sim.unplug()
    ev = wait_event(host, lambda e: isinstance(e, FaultEvent), 2.0)
    assert isinstance(ev, FaultEvent) and (ev.fault, ev.active) == ("pedal_unplugged", True)
    assert rp2.wait_board(sim, lambda: not host.status().pedal_present, 300), host.status()
    status = host.status()
    assert not status.pedal_present and status.fault is not None and "pedal_unplugged" in status.fault
    sim.tap("A")
    sim.replug()
    events = collect_until(host, lambda e: isinstance(e, FaultEvent), 3.0) + drain(host)
    assert pedal_events(events) == []
    assert faults(events) == [("pedal_unplugged", False, 0)]
    assert host.status().fault is None


@pytest.mark.board_clock
def test_pedal_down_when_the_connector_comes_out_is_released_without_a_tap(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    sim.press("A")
    assert wait_event(host, lambda e: isinstance(e, PedalEvent) and e.kind == "press", 2.0)
    sim.unplug()
    events = drain(host, expect=1)
    assert pedal_events(events) == [("A", "release")]
    assert ("pedal_unplugged", True, 0) in faults(events)
    # the shared board back as the next test finds it: pedal up, connector in, fault cleared
    sim.release("A")
    sim.replug()
    assert wait_event(host, lambda e: isinstance(e, FaultEvent) and not e.active, 3.0), host.status()


@pytest.mark.board_clock
@pytest.mark.slow
def test_pedal_held_past_ten_seconds_is_a_stuck_fault_cleared_on_release(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    pressed = clock_ms(sim)  # the board sees the press at this instant of its clock, or just after
    sim.press("A")
    ev = wait_event(host, lambda e: isinstance(e, FaultEvent), 13.0)
    # On the board's own clock: the fault was sent at or before the clock read on its arrival
    # (never early), and that read is late only by the fault's trip to the host.
    waited = (clock_ms(sim) - pressed) / 1000
    assert isinstance(ev, FaultEvent) and (ev.fault, ev.active, ev.arg) == ("stuck_pedal", True, 0)
    assert 10.0 <= waited < 12.0, waited
    assert host.status().fault == "pedal board fault: stuck_pedal(0)"
    sim.release("A")
    events = drain(host, expect=1)
    assert pedal_events(events) == [("A", "release")]
    assert faults(events) == [("stuck_pedal", False, 0)]


def ticks_diff(a: int, b: int) -> int:
    half = 1 << 29
    return ((a - b + half) & ((1 << 30) - 1)) - half


@pytest.mark.board_clock
def test_board_shows_host_lost_within_one_second_drops_pending_and_reports_the_loss(
    sim: BoardUnderTest, host: PedalBoard, sim_build: object
) -> None:
    host.set_indicator("imaging")
    assert rp2.wait_board(sim, lambda: sim.light() == BLUE, 2000)
    mark = sim.log_length()
    stopped = sim.board_ms()
    host.stop()
    assert rp2.wait_board(sim, lambda: sim.light() == YELLOW, 2000), "no host-lost light"
    lost_at = next(c.board_ms for c in sim.pin_log(mark) if c.pin == "rgb" and c.values == YELLOW)
    latency_ms = ticks_diff(lost_at, stopped)
    record("host_stop_to_host_lost_light_ms", latency_ms, sim)
    assert 0 <= latency_ms < 1000, latency_ms
    assert rp2.wait_board(
        sim, lambda: any(c.pin == "buzzer" and c.values == (1,) for c in sim.pin_log(mark)), 1000
    ), "host lost is audible too"
    sim.tap("A")  # nobody listens: these must not reach a later host as late presses
    rp2.board_window(sim, 200)
    again = on_board(PedalBoard(str(sim.link_path)).start(), sim)
    try:
        assert wait_event(again, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0)
        events = collect_until(again, lambda e: isinstance(e, FaultEvent), 3.0) + drain(again)
        assert pedal_events(events) == []
        lost = [f for f in faults(events) if f[0] == "events_lost"]
        assert lost and lost[0][2] >= 3, events
        assert rp2.wait_board(sim, lambda: sim.light() != YELLOW, 2000)
        sim.tap("B")
        assert pedal_events(drain(again, expect=3)) == [("B", "press"), ("B", "release"), ("B", "tap")]
    finally:
        again.stop()


def test_board_reset_mid_session_is_seen_and_the_light_restored(
    sim: BoardUnderTest, host: PedalBoard
) -> None:
    host.set_indicator("imaging")
    assert rp2.wait_board(sim, lambda: sim.light() == BLUE, 2000)
    first_boot = host.status().identity
    sim.reset()
    ev = wait_event(host, lambda e: isinstance(e, LinkEvent) and e.kind == "board_reset", 5.0)
    assert ev is not None, "no board_reset event"
    assert wait_event(host, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0)
    ident = host.status().identity
    assert first_boot is not None and ident is not None
    assert ident.boot_id != first_boot.boot_id and ident.reset_cause == sim.RESET_CAUSE
    assert rp2.wait_board(sim, lambda: sim.light() == BLUE, 2000), "host did not restore its indicator state"
    drain(host, 0.2)
    sim.tap("A")
    assert pedal_events(drain(host, expect=3)) == [("A", "press"), ("A", "release"), ("A", "tap")]


def test_port_vanishing_and_coming_back_reconnects_by_itself(sim: BoardUnderTest, host: PedalBoard) -> None:
    sim.power_off()
    assert wait_event(host, lambda e: isinstance(e, LinkEvent) and e.kind == "disconnected", 3.0)
    assert host.status().fault is not None and not host.status().connected
    time.sleep(0.5)
    sim.power_on()
    assert wait_event(host, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0)
    assert rp2.wait_board(sim, lambda: host.status().fault is None, 300), host.status()
    assert host.status().identity is not None and host.status().identity.reset_cause == "power_on"


def test_hung_firmware_is_reset_by_the_watchdog_and_reported(sim: BoardUnderTest, host: PedalBoard) -> None:
    sim.stall()
    ev = wait_event(host, lambda e: isinstance(e, FaultEvent) and e.fault == "watchdog_reset", 8.0)
    assert isinstance(ev, FaultEvent) and ev.active
    assert host.status().identity is not None and host.status().identity.reset_cause == "watchdog"
