"""Fixtures: the pedal board under test on a pty, the host driver.

``sim`` is the firmware on one of two boards, and every test taking it runs on both:

- ``unix``: the build on the MicroPython unix port with the simulated board layer (board_sim.py);
- ``rp2``: the Pico build on the official MicroPython rp2 image in an emulated RP2040, through
  board_pico.py, installed by ``sonocart firmware flash`` (tests/rp2.py; skips without the image).

Both handles have the same methods (press, release, tap, unplug, reset, light, pin_log, ...), so
the assertions are the same; ``RESET_CAUSE`` says what the board's ``reset()`` reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import BoardEvent, LinkEvent
from sonocart.firmware_tool.build import Build, build
from sonocart.sim.pedal_board import PinChange, SimulatedPedalBoard
from tools.emulated_pico.pedal_board import EmulatedPedalBoard

from .. import rp2

BOARDS = ["unix", pytest.param("rp2", marks=pytest.mark.rp2)]


class BoardUnderTest(Protocol):
    """What the pedal tests do to a board (SimulatedPedalBoard and EmulatedPedalBoard both have it)."""

    link_path: Path
    RESET_CAUSE: str

    def press(self, pedal: str = ..., bounce: bool = ...) -> object: ...
    def release(self, pedal: str = ..., bounce: bool = ...) -> object: ...
    def tap(self, pedal: str = ..., ms: int = ...) -> None: ...
    def unplug(self) -> None: ...
    def replug(self) -> None: ...
    def reset(self) -> None: ...
    def power_off(self) -> None: ...
    def power_on(self) -> None: ...
    def stall(self) -> object: ...
    def light(self) -> tuple[int, int, int]: ...
    def buzzer(self) -> bool: ...
    def pin_log(self, since_index: int = ...) -> list[PinChange]: ...
    def log_length(self) -> int: ...
    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool: ...
    def board_ms(self) -> int: ...
    def stop(self) -> None: ...


@pytest.fixture(scope="session")
def sim_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The firmware compiled with mpy-cross for the simulated board (same modules as the Pico build)."""
    return build("sim", tmp_path_factory.mktemp("fw"), version=("9.9.9+test", False, False))


@pytest.fixture(params=BOARDS)
def sim(request: pytest.FixtureRequest, sim_build: Build, tmp_path: Path) -> Iterator[BoardUnderTest]:
    board: BoardUnderTest
    if request.param == "unix":
        board = SimulatedPedalBoard(tmp_path / "pedal", tmp_path / "pedal.ctl", sim_build).start()
    else:
        board = rp2.board_from(request.getfixturevalue("pico_image"), tmp_path / "rp2")
    yield board
    board.stop()


#: The shared boards booted and not yet stopped: kind -> (board, its host driver, connected all along).
_SHARED: dict[str, tuple[BoardUnderTest, PedalBoard]] = {}


@pytest.fixture(params=BOARDS)
def shared_sim(
    request: pytest.FixtureRequest, sim_build: Build, tmp_path_factory: pytest.TempPathFactory
) -> BoardUnderTest:
    """A board of each kind shared by consecutive tests that need a connected board in its usual state
    but not a fresh boot: they tap or hold pedals, command the light or the buzzer and read events or
    the board's own pin log, pull the pedal connector only to plug it back before they end, and never
    reset, stall or power it off nor drop its host (``shared_host`` checks that state at each test's
    start, and puts the light back to what a fresh board shows). It is
    stopped as soon as the next test does not share it (pytest_runtest_teardown below), so that no
    idle emulator runs beside another test's board."""
    kind = str(request.param)
    if kind not in _SHARED:
        board: BoardUnderTest
        tmp = tmp_path_factory.mktemp(f"shared-{kind}")
        if kind == "unix":
            board = SimulatedPedalBoard(tmp / "pedal", tmp / "pedal.ctl", sim_build).start()
        else:
            board = rp2.board_from(request.getfixturevalue("pico_image"), tmp / "rp2")
        driver = on_board(PedalBoard(str(board.link_path)).start(), board)
        _SHARED[kind] = (board, driver)
        assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0), (
            "board never identified"
        )
    return _SHARED[kind][0]


def _stop_shared() -> None:
    while _SHARED:
        _kind, (board, driver) = _SHARED.popitem()
        driver.stop()
        _BOARD_OF.pop(id(driver), None)
        board.stop()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", rp2.BOARD_CLOCK_MARKER)


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the shared boards after the last of a run of tests that share them, or after a failure
    (the next test gets a fresh board, not whatever state a failing test left)."""
    shares = nextitem is not None and "shared_sim" in getattr(nextitem, "fixturenames", ())
    if _SHARED and (not shares or item.stash.get(_FAILED, False)):
        _stop_shared()


#: What a board shows once its host has identified it and set nothing (firmware/indicator.py: idle).
IDLE_LIGHT = (24, 24, 24)


@pytest.fixture()
def shared_host(shared_sim: BoardUnderTest) -> PedalBoard:
    """The host driver of ``shared_sim``, connected all along; each test starts from the idle light
    (steady, as on a fresh board) with the buzzer silent, the pedal plugged in, no pedal down and no
    fault."""
    (driver,) = [d for b, d in _SHARED.values() if b is shared_sim]
    driver.set_indicator("idle")
    assert rp2.wait_board(
        shared_sim, lambda: shared_sim.light() == IDLE_LIGHT and not shared_sim.buzzer(), 3000
    ), "the shared board did not go back to its idle light"

    def usual() -> bool:  # the status follows the board's heartbeats (every 250 ms)
        status = driver.status()
        return status.connected and status.fault is None and status.pedal_present and status.pedals_down == ()

    assert rp2.wait_board(shared_sim, usual, 3000), driver.status()
    return driver


@pytest.fixture()
def unix_sim(sim_build: Build, tmp_path: Path) -> Iterator[SimulatedPedalBoard]:
    """The simulated board alone (its control socket has no counterpart on the emulated Pico)."""
    board = SimulatedPedalBoard(tmp_path / "pedal", tmp_path / "pedal.ctl", sim_build).start()
    yield board
    board.stop()


@pytest.fixture()
def host(sim: BoardUnderTest) -> Iterator[PedalBoard]:
    driver = on_board(PedalBoard(str(sim.link_path)).start(), sim)
    assert wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 5.0), (
        "board never identified"
    )
    yield driver
    driver.stop()
    _BOARD_OF.pop(id(driver), None)


#: The board each host driver of a test talks to (by ``id`` of the driver), so that waits for the
#: driver's events are deadlines on that board's own clock (tests/rp2.BoardDeadline).
_BOARD_OF: dict[int, object] = {}


def on_board(driver: PedalBoard, board: object) -> PedalBoard:
    """Time ``driver``'s event waits on ``board``'s clock (an emulated Pico may lag the wall clock)."""
    _BOARD_OF[id(driver)] = board
    return driver


def _events(driver: PedalBoard, timeout: float) -> Iterator[BoardEvent]:
    """``driver``'s events until ``timeout`` s of its board's own clock have passed (wall clock for a
    board that keeps the host's time); then those already queued: the board sent them in time."""
    deadline = rp2.BoardDeadline(_BOARD_OF.get(id(driver)), timeout * 1000)
    while not deadline.passed():
        ev = driver.get_event(0.05)
        if ev is not None:
            yield ev
    while (ev := driver.get_event(0)) is not None:
        yield ev


def clock_ms(board: BoardUnderTest) -> float:
    """The board's own clock now, in ms: the instant of it at which what the host does now reaches
    the board (unwrapped on the emulated Pico, whose clock may run behind the wall clock; the unix
    port's is the host's monotonic clock)."""
    if isinstance(board, EmulatedPedalBoard):
        return board.clock_ms()
    return time.monotonic() * 1000


def wait_event(driver: PedalBoard, pred: Callable[[BoardEvent], bool], timeout: float) -> BoardEvent | None:
    """Pop events until one matches ``pred``; None after ``timeout`` s of the board's clock."""
    for ev in _events(driver, timeout):
        if pred(ev):
            return ev
    return None


def collect_until(driver: PedalBoard, pred: Callable[[BoardEvent], bool], timeout: float) -> list[BoardEvent]:
    """Every event up to and including the first matching ``pred`` (all of them on timeout, in
    seconds of the board's clock)."""
    out: list[BoardEvent] = []
    for ev in _events(driver, timeout):
        out.append(ev)
        if pred(ev):
            break
    return out


def drain(driver: PedalBoard, quiet: float = 0.3, expect: int = 0, timeout: float = 5.0) -> list[BoardEvent]:
    """Every event until none arrives for ``quiet`` seconds, waiting (up to ``timeout``) for at
    least ``expect`` pedal events first, so a slow machine cannot end the collection early (``timeout``
    in seconds of the board's own clock)."""
    from sonocart.devices.pedal_events import PedalEvent

    out: list[BoardEvent] = []
    deadline = rp2.BoardDeadline(_BOARD_OF.get(id(driver)), timeout * 1000)
    while True:
        pending = expect - sum(isinstance(e, PedalEvent) for e in out)
        if pending > 0 and deadline.passed():
            out.extend(iter(lambda: driver.get_event(0), None))  # sent before the deadline
            return out
        ev = driver.get_event(quiet if pending <= 0 else 0.05)
        if ev is None:
            if pending <= 0:
                return out
            continue
        out.append(ev)


ARTIFACT = Path(__file__).resolve().parents[2] / "artifacts" / "pedal-timing.json"


def record(key: str, value: object, board: object = None) -> None:
    """Add a measured figure to artifacts/pedal-timing.json (rp2-figures.json for the emulated Pico)."""
    import json

    if isinstance(board, EmulatedPedalBoard):
        rp2.record_figure(f"pedal.{key}", value)
        return
    ARTIFACT.parent.mkdir(exist_ok=True)
    data = json.loads(ARTIFACT.read_text()) if ARTIFACT.exists() else {}
    data[key] = value
    ARTIFACT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
