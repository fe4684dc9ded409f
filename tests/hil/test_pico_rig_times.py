"""The pico back end's clock mapping: board milliseconds of each boot onto host monotonic seconds."""

from __future__ import annotations

from tools.emulated_pico.pico import PicoEvent

from .pico_rig import host_times


def ev(kind: str, board_ms: float, **data: object) -> PicoEvent:
    return PicoEvent(kind, board_ms, host_s=-1.0, data=dict(data))


def test_each_light_and_buzzer_edge_is_placed_from_the_boot_it_happened_in() -> None:
    events = [
        ev("ws2812", 3.0, pin=16, pixels=[[1, 2, 3]]),  # before any boot: no origin, left out
        ev("boot", 0.0, cause="power_on", boot=1, mono_ns=5_000_000_000),
        ev("usb", 900.0, up=True),
        ev("ws2812", 250.0, pin=16, pixels=[[0, 0, 255]]),
        ev("pin", 1250.5, pin=15, level=1),
        ev("boot", 0.0, cause="run_pin", boot=2, mono_ns=12_500_000_000),
        ev("ws2812", 10.0, pin=16, pixels=[[255, 160, 0]]),
    ]
    got = [(round(t, 6), e.kind) for t, e in host_times(events)]
    # by hand: 5 s + 0.25 s; 5 s + 1.2505 s; 12.5 s + 0.01 s
    assert got == [(5.25, "ws2812"), (6.2505, "pin"), (12.51, "ws2812")]
