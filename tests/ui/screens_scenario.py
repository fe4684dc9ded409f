"""One launch of the real cart app, at one size, for several screen tests: each part a scenario of its
own, run in turn on the same app (tests/ui/screens.py runs it for the tests). LAST runs at 800x480 only
and the live view at 1280x800 only (what their tests assert; ``ONLY_AT``).

Starting the app (Kivy, the probe simulator, the pedal board) took about a third of each of these
scenarios when each had its own process. The parts run in ``PARTS`` order, each from the start screen
with no record open: between two parts the record is closed and the start screen shown again with the
toast gone. The summary's sends come first (before Settings changes the PACS host), the reach part last
(it leaves LAST active); LAST and the live view (which kills the run's probe simulator and starts it
again) come after the toast part, so that the parts before them see the state they always saw. Each
part writes to its own section of the report; the first part that raises ends the run, and every later
part's section says it did not run, so that no test reads a look that was never taken.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

T0 = time.monotonic()

from tests.ui.driver import scenario_args  # noqa: E402

#: In the order they run (see the module's docstring for why this order).
PARTS = ("summary", "settings", "toast", "last", "live", "reach")
#: The parts that run at one size only (their section at the other size says so).
ONLY_AT = {"last": "800x480", "live": "1280x800"}
#: ``make screenshots`` (tools/ui/screenshots.py) runs only the parts named here ("last"), at any size.
PARTS_ENV = "SONOCART_SCREENS_PARTS"
ARGS: argparse.Namespace = scenario_args("800x480")

from tests.ui import (  # noqa: E402
    last_scenario,
    live_scenario,
    reach_scenario,
    settings_scenario,
    summary_scenario,
    toast_scenario,
)
from tests.ui.cart_scenario import ready, run_to_end  # noqa: E402
from tests.ui.driver import CartRig, Report, Steps, settled, start_cart, wait  # noqa: E402

Part = Callable[[Any, Report, Path, Path], Steps]


def modules(rig: CartRig) -> dict[str, Part]:
    """Each part's scenario; the live view's is given the run's probe simulator to pull."""
    return {
        "summary": summary_scenario.part,
        "settings": settings_scenario.part,
        "toast": toast_scenario.part,
        "last": last_scenario.part,
        "live": functools.partial(live_scenario.part, sim=rig.sim),
        "reach": reach_scenario.part,
    }


def back_to_start(app: Any) -> Steps:
    """The record closed, the start screen shown and the band's toast gone: where every part begins."""
    app.session.close()
    app.go_procedure()
    yield from wait(lambda: app.screens.current == "start", 5, "the start screen between parts")
    yield from wait(lambda: not app.root.ids.toast.text, 40, "the toast gone between parts")
    yield from settled()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-screens-"))
    rig = start_cart(ARGS.link, tmp)
    app, stop, parts_run = rig.app, rig.stop, modules(rig)
    report = Report(ARGS.report)
    asked = [n for n in os.environ.get(PARTS_ENV, "").split(",") if n]
    here = (
        [n for n in PARTS if n in asked]
        if asked
        else [n for n in PARTS if ONLY_AT.get(n, ARGS.size) == ARGS.size]
    )
    parts = {name: Report(ARGS.report) for name in PARTS}  # each part's section (written with the report)
    report["parts"] = {name: sub.data for name, sub in parts.items()}

    def scenario() -> Steps:
        yield from ready(app)
        report["ready_s"] = round(time.monotonic() - T0, 2)
        failed = ""
        for name in PARTS:
            if name not in here and asked:
                parts[name]["error"] = f"not run: {PARTS_ENV} asked for {', '.join(asked)}"
            elif name not in here:
                parts[name]["error"] = f"not run at {ARGS.size}: this part runs at {ONLY_AT[name]} only"
        for i, name in enumerate(here):
            sub = parts[name]
            if failed:
                sub["error"] = f"not run: the shared run ended at {failed}"
                continue
            artifacts = ARGS.artifacts / f"{name}-{ARGS.size}"
            artifacts.mkdir(parents=True, exist_ok=True)
            (tmp / name).mkdir()
            t0 = time.monotonic()
            try:
                yield from parts_run[name](app, sub, artifacts, tmp / name)
            except Exception as exc:
                sub["error"] = f"{type(exc).__name__}: {exc}"
                sub["traceback"] = traceback.format_exc()
                failed = f"part {name!r}, which raised {sub['error']}"
            else:
                sub["completed"] = True
            sub["seconds"] = round(time.monotonic() - t0, 2)
            if not failed and i + 1 < len(here):
                try:
                    yield from back_to_start(app)
                except Exception as exc:
                    failed = (
                        f"the way back to the start screen after part {name!r}: {type(exc).__name__}: {exc}"
                    )

    return run_to_end(app, stop, scenario(), report)


if __name__ == "__main__":
    sys.exit(main())
