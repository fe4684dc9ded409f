"""Timing measured on the running firmware: light and buzzer from the board's pins, pedal latency
(on the unix port's simulated pins and on the emulated Pico's GPIOs, WS2812 decoded).

Pin changes are stamped with the board's own tick, so frequency and duty are exact
to 1 ms whatever the load on the test machine. The figures are also written to
artifacts/pedal-timing.json (reproduce: .venv/bin/pytest tests/pedal/test_pedal_timing.py).
Every case shares one board of each kind (``shared_sim``: booted once for the run of them).
"""

from __future__ import annotations

import itertools
import statistics
import time

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import PedalEvent
from sonocart.sim.pedal_board import PinChange

from .. import rp2
from .conftest import BoardUnderTest, drain, record, wait_event

#: How long an event may take to arrive before it counts as lost, in seconds of the board's own clock
#: (conftest.wait_event: a tests/rp2.BoardDeadline, the wall clock on the unix port), from the press or
#: the release: twice the firmware's 1 s life of an unacknowledged event (firmware/link.py EVENT_TTL_MS).
#: The host's ACK of the release, which a tap waits for, reaches an emulated Pico at its own now, so no
#: lag is added: a lag makes the wait longer in wall time, not on the board's clock. Latency (host wall
#: clock) is reported, not asserted.
EVENT_WAIT_S = 2.0


def flash_timing(changes: list[PinChange], colour: tuple[int, ...]) -> tuple[float, float, int]:
    """(frequency Hz, duty, periods) from rgb changes: rising edges to ``colour``, falling edges to off.

    Medians over the periods: one period stretched by a scheduling stall of the loaded test
    machine does not move them (the firmware's own timing is exact; the simulated pin is not).
    """
    edges = [(c.board_ms, c.values == colour) for c in changes if c.pin == "rgb"]
    periods: list[int] = []
    ons: list[int] = []
    for i in range(len(edges) - 2):
        (t0, on0), (t1, _), (t2, on2) = edges[i], edges[i + 1], edges[i + 2]
        if on0 and on2:
            periods.append(t2 - t0)
            ons.append(t1 - t0)
    period = statistics.median(periods)
    return 1000.0 / period, statistics.median(ons) / period, len(periods)


@pytest.mark.board_clock  # one command in, the board's pins watched on its own clock
@pytest.mark.parametrize(
    ("state", "colour", "f_range", "watch_s"),
    [
        ("alarm_high", (255, 0, 0), (1.4, 2.8), 2.2),
        ("alarm_medium", (255, 160, 0), (0.4, 0.8), 5.0),
    ],
)
def test_alarm_light_flashes_inside_the_iec_60601_1_8_ranges(
    shared_sim: BoardUnderTest,
    shared_host: PedalBoard,
    state: str,
    colour: tuple[int, int, int],
    f_range: tuple[float, float],
    watch_s: float,
) -> None:
    sim, host = shared_sim, shared_host
    mark = sim.log_length()
    host.set_indicator(state)
    rp2.board_window(sim, watch_s * 1000)  # the board's clock, however far behind the wall clock
    freq, duty, n = flash_timing(sim.pin_log(mark), colour)
    record(state, {"frequency_hz": round(freq, 3), "duty": round(duty, 3), "periods": n}, sim)
    assert n >= 3
    assert f_range[0] <= freq <= f_range[1], freq
    assert 0.20 <= duty <= 0.60, duty


@pytest.mark.board_clock  # one command in, the board's pins watched on its own clock
def test_low_priority_alarm_light_is_steady_cyan(shared_sim: BoardUnderTest, shared_host: PedalBoard) -> None:
    sim, host = shared_sim, shared_host
    host.set_indicator("alarm_low")
    assert rp2.wait_board(sim, lambda: sim.light() == (0, 200, 200), 2000)
    mark = sim.log_length()
    rp2.board_window(sim, 1000)
    assert [c for c in sim.pin_log(mark) if c.pin == "rgb"] == []


@pytest.mark.board_clock  # one command in, the board's pins watched on its own clock
@pytest.mark.parametrize(("priority", "pulses"), [("high", 10), ("medium", 3), ("low", 2)])
def test_buzzer_burst_has_the_pulses_of_its_priority(
    shared_sim: BoardUnderTest, shared_host: PedalBoard, priority: str, pulses: int
) -> None:
    sim, host = shared_sim, shared_host
    mark = sim.log_length()
    host.buzz(priority)
    falls = lambda: sum(c.pin == "buzzer" and c.values == (0,) for c in sim.pin_log(mark))  # noqa: E731
    assert rp2.wait_board(sim, lambda: falls() >= pulses, 8000), sim.pin_log(mark)
    rp2.board_window(sim, 500)  # nothing more may follow
    edges = [(c.board_ms, c.values[0]) for c in sim.pin_log(mark) if c.pin == "buzzer"]
    on_ms = [b[0] - a[0] for a, b in itertools.pairwise(edges) if a[1] == 1 and b[1] == 0]
    record(f"buzzer_{priority}", {"pulses": len(on_ms), "pulse_ms": on_ms}, sim)
    assert len(on_ms) == pulses, edges
    limits = (75, 200) if priority == "high" else (125, 250)  # IEC 60601-1-8 pulse duration
    # Pulse lengths are board-clock stamps of the simulated pin; a loaded test machine can stretch
    # one pulse by a scheduling delay, so the median is held to the standard and each pulse loosely.
    assert limits[0] <= statistics.median(on_ms) <= limits[1], on_ms
    assert all(limits[0] - 10 <= d <= limits[1] + 100 for d in on_ms), on_ms
    assert not sim.buzzer()


@pytest.mark.board_clock  # presses in, events and ACKs both ways: all on the board's own clock
def test_each_press_reaches_the_app_once_and_its_latency_is_recorded(
    shared_sim: BoardUnderTest, shared_host: PedalBoard
) -> None:
    """Latency is a figure for the report (artifacts/pedal-timing.json, `make hil`), not an assertion:
    timed assertions flake on a shared machine. Asserted: every press arrives, once, in order."""
    sim, host = shared_sim, shared_host
    drain(host, 0.2)
    latencies = []
    tap_latencies = []  # the tap leaves after the host has ACKed the release (one at a time)
    seqs = []
    for _ in range(10):
        t0 = time.monotonic()
        sim.press("A")
        ev = wait_event(host, lambda e: isinstance(e, PedalEvent) and e.kind == "press", EVENT_WAIT_S)
        assert isinstance(ev, PedalEvent)
        seqs.append((ev.boot_id, ev.seq))
        latencies.append((ev.received - t0) * 1000)
        rp2.board_window(sim, 50)
        t1 = time.monotonic()
        sim.release("A")
        tap = wait_event(host, lambda e: isinstance(e, PedalEvent) and e.kind == "tap", EVENT_WAIT_S)
        assert isinstance(tap, PedalEvent)
        tap_latencies.append((tap.received - t1) * 1000)
        drain(host, 0.15)
    for key, values in (("press_to_host_event_ms", latencies), ("release_to_tap_event_ms", tap_latencies)):
        record(
            key,
            {"median": round(statistics.median(values), 1), "max": round(max(values), 1), "n": len(values)},
            sim,
        )
    assert len(set(seqs)) == len(seqs) == 10, seqs
    assert seqs == sorted(seqs), seqs
