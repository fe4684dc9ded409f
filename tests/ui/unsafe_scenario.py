"""An antithrombotic held, then NOT held, on the real app's antithrombotics step at 800x480, by touch.

Run by tests/ui/test_unsafe_states.py in its own process (Kivy owns one window per process). Records each
drug button's word, its colours as the widget holds them, and a screenshot of each state (its pixels are
read by the test); the pytest side makes the assertions.
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

from tests.ui.driver import Report, Steps, button_in, pause, run_scenario, start_cart_app, touch, wait  # noqa: E402
from tests.ui.layout import window_rect  # noqa: E402
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP  # noqa: E402

DRUG = "drug:warfarin"


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-unsafe-"))
    app, stop = start_cart_app(ARGS.link, tmp, pedal_board=False)
    report = Report(ARGS.report)

    def button() -> Any:
        return button_in(app.current().ids.panel.ids.actions, DRUG)

    def look(name: str) -> None:
        b = button()
        report[name] = {
            "text": b.text,
            "background": list(b.background_color),
            "text_colour": list(b.color),
            "rect": list(window_rect(b)),
            "screenshot": str(app.save_screenshot(ARGS.artifacts / f"antithrombotic-{name}.png")),
        }

    def scenario() -> Steps:
        yield from wait(lambda: app.screens.current == "start", 10, "start screen")
        app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
        app.go_procedure()
        yield from pause(0.3)
        for step, key in SIGN_IN_TO_PREP:  # what the buttons would send, up to the antithrombotics step
            if step == "antithrombotics":
                break
            app.step_action(key)
        yield from wait(lambda: app.form.view().step_id == "antithrombotics", 5, "antithrombotics step")
        yield from pause(0.3)
        report["screen"] = app.screens.current
        panel = app.current().ids.panel
        grid = [window_rect(b) for b in panel.ids.actions.children]
        top = max(r[1] + r[3] for r in grid)
        report["room"] = {  # the step's room at 7 inches, unscrolled: its first row of drugs whole in it
            "viewport": list(window_rect(panel.ids.scroll)),
            "first_row": [list(r) for r in grid if abs(r[1] + r[3] - top) < 0.5],
            "scroll_y": panel.ids.scroll.scroll_y,
            "panel_height": panel.height,
        }
        look("not_taking")
        for name in ("held", "not_held"):  # each touch moves the drug on: taking and held, then NOT held
            yield from touch(button())
            yield from pause(0.4)
            look(name)
        report["prompt"] = app.root.ids.prompt.text

    try:
        run_scenario(app, scenario(), report)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
