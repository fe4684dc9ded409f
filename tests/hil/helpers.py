"""Shared test steps: connect the pedal driver to a rig, follow events, run the headless cart on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import BoardEvent, LinkEvent, PedalEvent
from tests import rp2
from tests.pedal.conftest import wait_event
from tools.rig.headless_client import HeadlessCart

from .interface import Rig, Sample

TAP_MS = 100
#: The light is sampled, not watched continuously, on a real rig (colour sensor integration time);
#: the simulator's pins are exact. Latency bounds add this much for the sampling.
SAMPLING_SLACK_S = 0.03


def drain(driver: PedalBoard, quiet: float = 0.3) -> list[BoardEvent]:
    out: list[BoardEvent] = []
    while (ev := driver.get_event(quiet)) is not None:
        out.append(ev)
    return out


def pedal_events(events: list[BoardEvent]) -> list[PedalEvent]:
    return [e for e in events if isinstance(e, PedalEvent)]


@contextmanager
def connected_driver(rig: Rig) -> Iterator[PedalBoard]:
    """The host's pedal driver on the rig's pedal port, once the board has identified itself."""
    driver = PedalBoard(rig.pedal_port).start()
    try:
        ok = wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 10.0)
        assert ok, f"pedal board on {rig.pedal_port} never identified"
        yield driver
    finally:
        driver.stop()


def tap(rig: Rig, pedal: str, ms: int = TAP_MS) -> float:
    """Press ``pedal`` for ``ms`` of the board's own clock; return when it closed (host s, see
    :func:`board_now`)."""
    t = rig.press(pedal)
    run_until(rig, t + ms / 1000)
    rig.release(pedal)
    return t


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, poll: float = 0.005) -> float:
    """Poll until ``predicate()``; return when it first held (host s); fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)
    return time.monotonic()


def board_now(rig: Rig) -> float:
    """The host time up to which the rig's board has run and been sampled, which is also when what
    the host does now reaches it. An emulated Pico (``PicoRig.board_now``) can run seconds behind
    the wall clock on a loaded host; the unix port and a real board keep the host's time."""
    now: Callable[[], float] = getattr(rig, "board_now", time.monotonic)
    return now()


def on_board_clock(rig: Rig, wall_t: float) -> float:
    """Host wall time ``wall_t`` (a cart's line, a freeze of the cart) as the board's clock read it,
    in the host seconds of :func:`board_now`: earlier by the board's lag now (none on a board that
    keeps the host's time), so that it compares with the rig's light and buzzer samples."""
    return wall_t - (time.monotonic() - board_now(rig))


def board_pause(rig: Rig, seconds: float) -> None:
    """Let ``seconds`` of the rig's board's own clock pass (wall seconds on a board keeping host time)."""
    run_until(rig, board_now(rig) + seconds)


def run_until(rig: Rig, t: float) -> None:
    """Return once the rig's board has run up to host time ``t`` (on its own clock, see
    :func:`board_now`): a window of board time, whatever the board's lag behind the wall clock."""
    wait: Callable[[float], None] | None = getattr(rig, "wait_until", None)
    if wait is not None:
        wait(t)
    else:
        time.sleep(max(0.0, t - time.monotonic()))


def first_change(rig: Rig, since: float, colour: str, timeout: float = 3.0) -> Sample:
    """The first light sample showing ``colour`` at or after ``since`` (waits for it): it must come
    within ``timeout`` of ``since`` on the board's clock (:func:`board_now`); a board that stops
    running fails after ten times that in wall time plus 5 s."""
    stuck = time.monotonic() + 10 * timeout + 5.0
    while True:
        found = [s for s in rig.light_log(since) if s.value == colour]
        if found:
            return found[0]
        if board_now(rig) > since + timeout or time.monotonic() > stuck:
            shown = ", ".join(f"{x.value}@{x.t - since:+.3f}s" for x in rig.light_log(since - 2.0)[-12:])
            pytest.fail(f"the light did not turn {colour} within {timeout} s; changes: {shown}")
        time.sleep(0.005)


@contextmanager
def running_cart(rig: Rig, tmp_path: Path, resume: Path | None = None) -> Iterator[HeadlessCart]:
    """The shipped cart, headless (``sonocart run --headless``), on the rig's pedal and probe ports."""
    cart = HeadlessCart(tmp_path / "run", rig.probe_port, rig.pedal_port, resume=resume)
    try:
        yield cart
    finally:
        cart.close()
        rp2.note_host_gap(cart.longest_heartbeat_gap_s())  # an overload, if the test failed on the Pico


def gestures(cart: HeadlessCart, since: int = 0) -> list[dict[str, Any]]:
    """The pedal gestures the cart acted on (or reported), as it printed them."""
    return [x.data for x in cart.events("pedal", since)]
