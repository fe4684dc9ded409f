"""Drive the real cart app in its own process like a person: touch widgets, press pedals, look.

Shared by the UI scenarios (each runs in a subprocess: Kivy owns one window per process). A scenario
is a generator stepped by the Kivy clock; it writes what it saw to a JSON report that pytest asserts.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Steps = Iterator[None]


def scenario_args(default_size: str) -> argparse.Namespace:
    """The command line every screen scenario takes (probe link, artifacts, report, window size), with the
    Kivy window configured at that size (before anything imports Kivy's window)."""
    from sonocart_ui.kivy_setup import configure_kivy

    ap = argparse.ArgumentParser()
    ap.add_argument("--link", type=Path, required=True, help="probe simulator pty link")
    ap.add_argument("--artifacts", type=Path, required=True)
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--size", default=default_size)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    configure_kivy(w, h)
    return args


def wait(cond: Callable[[], bool], timeout_s: float, what: str) -> Steps:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout_s:
            raise TimeoutError(what)
        yield


def pause(seconds: float) -> Steps:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        yield


#: What a settle does not wait on: the figures on screen that change on their own by design, the
#: probe's rate and the last frame's age (with every frame: the status bar, the Settings technician line,
#: the live badge) and the clocks (every second: the LAST watch's "last onset 4:59"). The words around
#: them are still judged, and so is where each of those labels is.
TICKING = re.compile(r"\d+(?= (fps|ms)\b)|\b\d+(:\d\d)+\b")
#: A text that moved less than this since the settle's last look at it has not moved: under half a
#: pixel nothing drawn changes (a scroll view's spring creeps on for seconds in steps of 0.01 px).
STILL_PX = 0.5

#: One look at the screen: each text shown (its words, its rendered size or None where a ticking figure
#: sizes it, and its window rectangle), in the widget tree's order.
Look = list[tuple[str, tuple[float, float] | None, tuple[float, float, float, float]]]


def look_of(texts: Iterable[tuple[str, tuple[float, float], tuple[float, float, float, float]]]) -> Look:
    """Texts as a settle judges them: each ticking figure masked (``TICKING``), and where one was, the
    label's rendered size left out (a figure one digit longer renders wider); its place is kept."""
    out: Look = []
    for text, size, rect in texts:
        masked = TICKING.sub("#", text)
        out.append((masked, None if masked != text else (float(size[0]), float(size[1])), rect))
    return out


def at_rest(before: Look, now: Look, tol_px: float = STILL_PX) -> bool:
    """The same texts in the same order, each of the same rendered size and less than ``tol_px`` from
    where it was ``before`` in every coordinate of its rectangle."""
    return len(before) == len(now) and all(
        tb == tn and sb == sn and all(abs(a - b) < tol_px for a, b in zip(rb, rn, strict=True))
        for (tb, sb, rb), (tn, sn, rn) in zip(before, now, strict=True)
    )


def window_look() -> Look:
    """Every text visible in the Kivy window now (:func:`look_of`)."""
    from kivy.core.window import Window

    from tests.ui.layout import visible_texts, window_rect

    return look_of((w.text, tuple(w.texture_size), window_rect(w)) for w, _r in visible_texts(Window))


def settled(
    stable_frames: int = 3,
    max_s: float = 0.5,
    look: Callable[[], Look] = window_look,
    clock: Callable[[], float] = time.monotonic,
) -> Steps:
    """Frames until every text on screen (its words, rendered size and place) is where it was
    ``stable_frames`` frames before (:func:`at_rest` with that look, so a slow creep adds up): the
    redraw an action set off and the layouts that followed have run (a fixed pause waited for them far
    longer than they take). The figures that change with every frame by design are not waited on
    (``TICKING``). A screen that keeps changing (a scroll view springing back) is left after ``max_s``:
    no sooner than the fixed pause it stands for."""
    t0, anchor, same = clock(), None, 0
    while same < stable_frames and clock() - t0 < max_s:
        yield
        now = look()
        if anchor is not None and at_rest(anchor, now):
            same += 1
        else:
            anchor, same = now, 0


def touch(widget: Any, hold_s: float = 0.0) -> Steps:
    """Press and release at the widget's centre (scrolled into view first), as a finger would."""
    from kivy.tests.common import UnitTestTouch
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and not isinstance(parent, ScrollView):
        parent = None if parent.parent is parent else parent.parent  # the window is its own parent
    t0 = time.monotonic()
    tries = 0
    # again while a layout pending moves it: 10 tries, and on for up to 3 s on a loaded machine (a timed
    # redraw, a toast's, may land between two tries at a few frames a second)
    while parent is not None and (tries < 10 or time.monotonic() - t0 < 3.0):
        tries += 1
        parent.scroll_to(widget, padding=10, animate=False)
        yield
        yield
        x, y = widget.to_window(*widget.center)
        px, py = parent.to_window(parent.x, parent.y)
        if px <= x <= px + parent.width and py <= y <= py + parent.height:
            break
    if widget.disabled or widget.opacity == 0:
        raise AssertionError(f"touch on a hidden or disabled widget: {getattr(widget, 'text', widget)!r}")
    x, y = widget.to_window(*widget.center)
    if parent is not None:  # the point must be inside the scroll view's window, not clipped away
        px, py = parent.to_window(parent.x, parent.y)
        if not (px <= x <= px + parent.width and py <= y <= py + parent.height):
            raise AssertionError(f"touch on a widget clipped away: {getattr(widget, 'text', widget)!r}")
    t = UnitTestTouch(x, y)
    t.touch_down()
    yield
    if hold_s:
        yield from pause(hold_s)
    t.touch_up()
    yield
    yield


def button_in(grid: Any, key: str) -> Any:
    b = grid.button(key)
    if b is None:
        keys = [getattr(c, "key", "") for c in grid.children]
        raise AssertionError(f"no button {key!r} on screen; shown: {keys}")
    return b


class Report:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {"seen": []}

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def see(self, label: str, **what: Any) -> None:
        self.data["seen"].append({"label": label, **what})

    def write(self) -> None:
        self.path.write_text(json.dumps(self.data, indent=2, default=str))


def run_scenario(app: Any, steps: Steps, report: Report, step_s: float = 0.0) -> None:
    """Step the scenario on the Kivy clock, stop the app at its end or first error.

    ``step_s`` 0: one step per frame, so a ``yield`` (a frame for the layout to run) costs one frame and
    :func:`wait` sees its condition at the first frame it holds. A fixed 20 ms interval cost a frame and
    up to 20 ms more on each: measured 20 steps/s against 25 with the live image drawn on Xvfb, and
    about 73 on screens without it. Time the scenario means (a toast's life, a held pedal) is
    :func:`pause`, wall-clock seconds, either way."""
    from kivy.clock import Clock

    def step(_dt: float) -> bool:
        try:
            next(steps)
        except StopIteration:
            report["completed"] = True
            app.stop()
            return False
        except Exception as exc:
            import traceback

            report["error"] = f"{type(exc).__name__}: {exc}"
            report["traceback"] = traceback.format_exc()
            app.stop()
            return False
        return True

    from tests.ui.clock_log import ClockWarnings

    Clock.schedule_interval(step, step_s)
    with ClockWarnings() as warnings:
        try:
            app.run()
        finally:
            # a layout that did not converge before a frame (tests/ui/clock_log.py): the tests assert none
            report["clock_too_much_iteration"] = warnings.records
            report.write()


def run_scenario_file(
    scenario: Path, env: dict[str, str], tmp_path: Path, artifacts: Path, *extra: str, timeout_s: float = 180
) -> dict[str, Any]:
    """Run a scenario script in its own process (pytest side) and return its report, checked complete."""
    import subprocess
    import sys

    report_path = tmp_path / "report.json"
    args = ["--link", str(tmp_path / "probe"), "--artifacts", str(artifacts), "--report", str(report_path)]
    proc = subprocess.run(
        [sys.executable, str(scenario), *args, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    assert report_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    report: dict[str, Any] = json.loads(report_path.read_text())
    assert "error" not in report and report.get("completed"), (report.get("error"), report.get("traceback"))
    return report


@dataclass
class CartRig:
    """The real cart app (scenario side) and the devices it runs on: ``sim`` is the probe simulator, for a
    scenario that pulls the probe (``sim.kill()``) and plugs it back (``sim.start()``)."""

    app: Any
    sim: Any
    board: Any

    def stop(self) -> None:
        """Stop the devices (the app stops itself at the scenario's end)."""
        if self.board is not None:
            self.board.stop()
        self.sim.stop()


def start_cart(link: Path, tmp: Path, pedal_board: bool = True) -> CartRig:
    """The real cart app on a probe simulator at ``link`` and, with ``pedal_board``, the simulated pedal
    board (pedals OK: the usual top band). The simulator boots while the pedal board boots and the app's
    modules load (one after the other, the three took about 3.4 + 1.5 + 2.7 s of each launch)."""
    from tests.conftest import SimProcess

    sim = SimProcess(link, ["--lines", "96", "--samples", "384"]).spawn()
    from sonocart.sim.pedal_board import start_simulated_board

    board = start_simulated_board(tmp / "pedal", tmp / "pedal.ctl") if pedal_board else None
    from sonocart.cart.cart import Cart
    from sonocart.cart.settings import UiSettings, demo_operators
    from sonocart.clock import SystemClock
    from sonocart.devices.pedal import PedalBoard
    from sonocart.devices.probe import ProbeClient
    from sonocart.procedures.catalogue import load_catalogue
    from sonocart_ui.app import CartApp

    sim.ready()
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp / "records",
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(link)),
        pedal=PedalBoard(str(tmp / "pedal")) if board is not None else None,
    ).start()
    app = CartApp(cart=cart, pedal_remote=board.command if board is not None else None)
    return CartRig(app, sim, board)


def start_cart_app(link: Path, tmp: Path, pedal_board: bool = True) -> tuple[Any, Callable[[], None]]:
    """:func:`start_cart`, as the app and what stops its devices."""
    rig = start_cart(link, tmp, pedal_board)
    return rig.app, rig.stop
