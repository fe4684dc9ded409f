"""What the screen scenarios of the settings, summary, toast and reach tests share: the cart ready at
its start screen, and running the scenario to its end with the devices stopped after it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ui.driver import Report, Steps, run_scenario, wait


def ready(app: Any) -> Steps:
    """The simulated pedal board answering (the usual top band) and the start screen shown."""
    yield from wait(lambda: app.pedal_status is not None and app.pedal_status.fault is None, 30, "pedals")
    yield from wait(lambda: app.screens.current == "start", 10, "start screen")


def run_to_end(app: Any, stop: Callable[[], None], steps: Steps, report: Report) -> int:
    """Step ``steps`` on the app's clock until its end or first error; the devices stopped either way."""
    try:
        run_scenario(app, steps, report)
    finally:
        stop()
    return 0
