"""The depth the cart shows is the depth of the frames on screen; a refused change is shown (item 7).

The real probe simulator on a real pty and the real Cart (no Kivy): the depth line comes from the
geometry of the frame rendered, and a request only ever adds "asking" or a refusal beside it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent
from sonocart.cart.settings import UiSettings
from sonocart.clock import SystemClock
from sonocart.devices.probe import ProbeClient
from sonocart.procedures.catalogue import load_catalogue
from tests.conftest import SimProcess

SMALL = ("--probe", "linear", "--lines", "32", "--samples", "128")


def _cart(port: Path, tmp_path: Path) -> Cart:
    return Cart(
        catalogue=load_catalogue(),
        records_root=tmp_path / "records",
        clock=SystemClock(),
        settings=UiSettings(),
        probe=ProbeClient(str(port)),
        image_size=(160, 120),
    ).start()


def _pump_until(cart: Cart, cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; depth line: {cart.live.depth_line()!r}")
        cart.pump()
        time.sleep(0.01)


@pytest.fixture
def running(tmp_path: Path, probe_sim: Callable[..., SimProcess]) -> Iterator[tuple[Cart, list[CartEvent]]]:
    sim = probe_sim(*SMALL)
    cart = _cart(sim.link, tmp_path)
    events: list[CartEvent] = []
    cart.subscribe(events.append)
    try:
        yield cart, events
    finally:
        cart.stop()


def test_the_depth_shown_changes_only_when_frames_at_the_new_depth_are_rendered(
    running: tuple[Cart, list[CartEvent]],
) -> None:
    cart, events = running
    _pump_until(cart, lambda: cart.live.shown_depth_mm == 40.0, 15, "frames at the linear probe's 40 mm")
    assert cart.live.depth_line() == "depth 40 mm"
    cart.imaging_press("depth:+")  # one step: 50 mm asked for
    assert cart.live.depth_line() in ("depth 40 mm (asking the probe for 50 mm)", "depth 40 mm")
    assert cart.live.shown_depth_mm == 40.0  # asked for, not yet on screen
    _pump_until(cart, lambda: cart.live.shown_depth_mm == 50.0, 10, "frames at 50 mm")
    assert cart.live.depth_line() == "depth 50 mm"
    assert any(e.kind == "imaging" for e in events)


def test_a_depth_change_a_replayed_probe_refuses_is_said_and_the_image_keeps_its_depth(
    tmp_path: Path, probe_sim: Callable[..., SimProcess]
) -> None:
    rec = tmp_path / "session.rec"
    sim = probe_sim(*SMALL, "--record", str(rec))
    cart = _cart(sim.link, tmp_path)
    try:
        _pump_until(cart, lambda: cart.probe.latest.count >= 5, 15, "frames while recording")
    finally:
        cart.stop()
    sim.stop()
    time.sleep(0.1)
    replay = probe_sim("--replay", str(rec))
    cart = _cart(replay.link, tmp_path)
    events: list[CartEvent] = []
    cart.subscribe(events.append)
    try:
        _pump_until(cart, lambda: cart.live.shown_depth_mm == 40.0, 15, "replayed frames at 40 mm")
        cart.imaging_press("depth:-")
        _pump_until(cart, lambda: "refused" in cart.live.depth_line(), 5, "the refusal on the depth line")
        assert (
            cart.live.depth_line()
            == "depth 40 mm · [!] depth 30 mm: refused (this probe cannot change depth)"
        )
        for _ in range(20):
            cart.pump()
            time.sleep(0.02)
        assert cart.live.shown_depth_mm == 40.0
        said = [e.as_dict() for e in events if e.kind == "feedback"]
        assert said and not said[-1]["ok"] and "refused" in said[-1]["text"]
    finally:
        cart.stop()
