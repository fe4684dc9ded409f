"""Fixtures: the firmware built once for the unix port, a simulated board on a pty, the host driver."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import BoardEvent, LinkEvent
from sonocart.firmware_tool.build import Build, build
from sonocart.sim.pedal_board import SimulatedPedalBoard


@pytest.fixture(scope="session")
def sim_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The firmware compiled with mpy-cross for the simulated board (same modules as the Pico build)."""
    return build("sim", tmp_path_factory.mktemp("fw"), version=("9.9.9+test", False, False))


@pytest.fixture()
def sim(sim_build: Build, tmp_path: Path) -> Iterator[SimulatedPedalBoard]:
    board = SimulatedPedalBoard(tmp_path / "pedal", tmp_path / "pedal.ctl", sim_build).start()
    yield board
    board.stop()


@pytest.fixture()
def host(sim: SimulatedPedalBoard) -> Iterator[PedalBoard]:
    driver = PedalBoard(str(sim.link_path)).start()
    assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0), (
        "board never identified"
    )
    yield driver
    driver.stop()


def wait_event(driver: PedalBoard, pred: Callable[[BoardEvent], bool], timeout: float) -> BoardEvent | None:
    """Pop events until one matches ``pred``; None after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ev = driver.get_event(left)
        if ev is not None and pred(ev):
            return ev
    return None


def collect_until(driver: PedalBoard, pred: Callable[[BoardEvent], bool], timeout: float) -> list[BoardEvent]:
    """Every event up to and including the first matching ``pred`` (all of them on timeout)."""
    import time

    out: list[BoardEvent] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ev = driver.get_event(left)
        if ev is not None:
            out.append(ev)
            if pred(ev):
                break
    return out


def drain(driver: PedalBoard, quiet: float = 0.3, expect: int = 0, timeout: float = 5.0) -> list[BoardEvent]:
    """Every event until none arrives for ``quiet`` seconds, waiting (up to ``timeout``) for at
    least ``expect`` pedal events first, so a slow machine cannot end the collection early."""
    import time

    from sonocart.devices.pedal_events import PedalEvent

    out: list[BoardEvent] = []
    deadline = time.monotonic() + timeout
    while True:
        pending = expect - sum(isinstance(e, PedalEvent) for e in out)
        left = deadline - time.monotonic()
        if pending > 0 and left <= 0:
            return out
        ev = driver.get_event(quiet if pending <= 0 else left)
        if ev is None:
            if pending <= 0:
                return out
            continue
        out.append(ev)


ARTIFACT = Path(__file__).resolve().parents[2] / "artifacts" / "pedal-timing.json"


def record(key: str, value: object) -> None:
    """Add a measured figure to artifacts/pedal-timing.json."""
    import json

    ARTIFACT.parent.mkdir(exist_ok=True)
    data = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
    data[key] = value
    ARTIFACT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
