"""Every catalogue procedure on the real app, from sign-in to sign-out, at one screen size.

For each procedure the scenario answers every step as the team would (the usual safe answer), showing
every drug's strengths on the medications step, and records the texts on screen after each answer
(tests/ui/layout.py: shortened, overflowing or clipped) and the live screen's layout at the injection
step, with a screenshot of it (``inject-<procedure>.png``). Run by tests/ui/test_catalogue_walk.py and by
``make screenshots``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui.driver import scenario_args  # noqa: E402

ARGS = scenario_args("800x480")

from sonocart.cart.cart import Cart  # noqa: E402
from sonocart.cart.settings import DEMO_PIN, UiSettings, demo_operators  # noqa: E402
from sonocart.cart.startup import follow_scenes  # noqa: E402
from sonocart.clock import SystemClock  # noqa: E402
from sonocart.devices.pedal import PedalBoard  # noqa: E402
from sonocart.devices.probe import ProbeClient  # noqa: E402
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402
from sonocart.sim.pedal_board import start_simulated_board  # noqa: E402
from sonocart_ui.app import CartApp  # noqa: E402
from tests.conftest import SimProcess  # noqa: E402
from tests.ui.column_count import count_pages  # noqa: E402
from tests.ui.driver import Report, Steps, pause, run_scenario, settled, wait  # noqa: E402
from tests.ui.layout import live_layout, text_audit  # noqa: E402

TEAM = ("dr_ana", "rn_ben", "odp_cy")
PHASES_WALKED = ("sign_in", "time_out", "prep_stop_block", "injection", "sign_out")
PATIENT = {"name": "DOE^JANE", "id": "MRN0012345", "birth_date": "19580412"}
# Numeric vitals as a team types them (a 0 is refused below each step's catalogue minimum).
TYPICAL = {"hr_before": "72", "sbp_before": "134", "spo2_before": "98"}
TYPICAL |= {k.replace("before", "after"): v for k, v in TYPICAL.items()}


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-walk-"))
    control = tmp / "probe.ctl"  # the scene follows each procedure opened, as `make run` wires it
    sim = SimProcess(ARGS.link, ["--lines", "96", "--samples", "384", "--control", str(control)]).start()
    board = start_simulated_board(tmp / "pedal", tmp / "pedal.ctl")  # pedals OK: the usual top band
    cart = Cart(
        catalogue=load_catalogue(),
        records_root=tmp / "records",
        clock=SystemClock(),
        settings=UiSettings(operators=demo_operators()),
        probe=ProbeClient(str(ARGS.link)),
        pedal=PedalBoard(str(tmp / "pedal")),
    )
    follow_scenes(cart, control)
    cart.start()
    app = CartApp(cart=cart, pedal_remote=board.command)
    report = Report(ARGS.report)
    report["size"] = ARGS.size
    try:
        run_scenario(app, Walk(app, report).run(), report)
    finally:
        board.stop()
        sim.stop()
    return 0


class Walk:
    def __init__(self, app: CartApp, report: Report) -> None:
        self.app, self.report = app, report
        self.procedures: dict[str, Any] = {}
        report["procedures"] = self.procedures

    def look(self, proc: str, label: str) -> None:
        from kivy.core.window import Window

        self.report.see(label, procedure=proc, screen=self.app.screens.current, texts=text_audit(Window))

    def press(self, key: str, settle: bool = True) -> Steps:
        """One answer through the app's own intent path (what a touch on that button calls). With
        ``settle`` the redraw and the layouts it sets off have run (before a look); without it, one
        frame (the redraw) runs: a press between two others, whose screen no look reads (a digit of a
        PIN), acts on the core and its form at once, and the next press checks that it did."""
        form = self.app.form
        before = (form.view().step_id, self.app.session.version, form.view().actions, form.view().entry)
        self.app.step_action(key)
        if settle:
            yield from settled()
        else:
            yield
        after = (form.view().step_id, self.app.session.version, form.view().actions, form.view().entry)
        if after == before:
            fb = self.app.session.feedback
            raise AssertionError(f"{key!r} changed nothing at {before[0]}: {fb.text if fb else ''}")

    def run(self) -> Steps:
        app = self.app
        yield from wait(lambda: app.pedal_status is not None and app.pedal_status.fault is None, 30, "pedals")
        yield from wait(lambda: app.screens.current == "start", 10, "start screen")
        for proc in app.session.catalogue.procedures:
            app.session.start(proc, dict(PATIENT), 72.0, "dr_ana")
            app.go_procedure()  # its first look once the sign-in is shown and still (not a fixed 0.2 s)
            yield from wait(lambda: app.screens.current == "sign_in", 5, f"{proc}: the sign-in screen")
            yield from settled()
            yield from self.walk(proc)
            app.session.close()
            app.go_procedure()
            yield from wait(lambda: app.screens.current == "start", 5, f"{proc}: the start screen")
            yield from settled()

    def walk(self, proc: str) -> Steps:
        app, seen = self.app, {"steps": [], "injection": None}
        self.procedures[proc] = seen
        side = ""
        for _ in range(120):
            view = app.form.view()
            if app.session.phase() not in PHASES_WALKED:
                break  # past sign-out: observation is timed (minutes), nothing more to read
            if seen["steps"][-3:] == [view.step_id] * 3:
                raise AssertionError(f"{proc}: stuck at {view.step_id} ({view.detail})")
            seen["steps"].append(view.step_id)
            self.look(proc, view.step_id)
            keys = [a.key for a in view.actions]
            kind = view.kind
            if kind == "injection":
                yield from pause(0.4)
                for _attempt in range(10):  # measured while live: NO SIGNAL (a frame hiccup on a loaded
                    # machine) is the one thing rightly drawn over the image, and is not the layout
                    yield from wait(lambda: app.live_screen is not None and app.live_screen.live, 20, "live")
                    seen["injection"] = live_layout(app)
                    if app.live_screen.live:
                        break
                    yield from pause(0.3)
                app.save_screenshot(ARGS.artifacts / f"inject-{proc}.png")
                # the column's pages as the team meets them: the previous step's feedback gone (3 s)
                yield from wait(lambda: not app.live_screen.toast_text, 10, f"{proc}: the feedback gone")
                yield from pause(0.4)
                seen["column"] = {}
                yield from count_pages(app, seen["column"])
                app.live_action("capture_still")  # sign-out's "images captured" needs one in the record
                yield from self.press("aspirate:negative", settle=False)
                yield from self.press("aliquot")
                self.look(proc, "injection: aliquot logged")
                yield from self.press("finish")
                continue
            if kind == "medications":
                yield from self.medications(proc, keys)
                continue
            answer = self.answer(view, keys, side)
            for i, key in enumerate(answer):
                if key.startswith("side:"):
                    side = key.removeprefix("side:")
                yield from self.press(key, settle=i + 1 == len(answer))  # the next step's look after it
        else:
            raise AssertionError(f"{proc}: never reached the observation phase")

    def medications(self, proc: str, keys: list[str]) -> Steps:
        """Show every offered drug's strengths, then draw the last one shown and label the syringe."""
        for key in [k for k in keys if k.startswith("med:")]:
            yield from self.press(key)
            self.look(proc, f"medications {key}")
        strength = next(a.key for a in self.app.form.view().actions if a.key.startswith("strength:"))
        yield from self.press(strength, settle=False)
        yield from self.press("add", settle=False)
        label = next(a.key for a in self.app.form.view().actions if a.key.startswith("label:"))
        yield from self.press(label)
        self.look(proc, "medications labelled")
        yield from self.press("done")

    def answer(self, view: Any, keys: list[str], side: str) -> list[str]:
        """The usual safe answer to one step, as the buttons give it (every drug's strengths shown)."""
        kind, selected = view.kind, {a.key for a in view.actions if a.selected}
        if kind in ("number", "outcome"):
            tests = [k for k in keys if k.startswith("test:")]
            first = [tests[0]] if tests and not (selected & set(tests)) else []
            step = self.app.session.current_step()
            low = step.min if step is not None and step.min is not None else 0
            typed = TYPICAL.get(view.step_id) or str(max(0, int(-(-low // 1))))
            return first + ([] if view.entry else [f"digit:{d}" for d in typed]) + ["ok"]
        if kind == "choice":
            opts = [k for k in keys if k.startswith("opt:")]
            return [opts[0], "done"] if "done" in keys else [opts[0]]
        if kind == "team_confirm":
            members = [k for k in keys if k.startswith("confirm_as:") and k not in selected]
            return [k for m in members for k in (m, *(f"digit:{d}" for d in DEMO_PIN), "member_ok")]
        if kind == "two_person_stop":
            return [f"stop:{m}:{side}" for m in TEAM[:2]]
        if kind == "side":
            return [f"side:{side}"] if side else [next(k for k in keys if k.startswith("side:"))]
        return [next(k for k in keys if k in ("done", "confirm", "yes", "clear_escalation"))]


if __name__ == "__main__":
    sys.exit(main())
