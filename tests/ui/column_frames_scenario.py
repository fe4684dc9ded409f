"""The step panels frame by frame, at one size: what a new step does to a body the finger had scrolled,
and what the live screen's column does while another screen is shown.

At the sign-in's "antithrombotics" step (its body taller than its window at 7 inches) the body is dragged
up by a finger and let go, and the step answered at once: where the body's top is, against its window's
top, at each of the frames that follow. Then the live column frame by frame, each frame how many times it
has laid itself out and its body's height, header and pages: at the STOP and the injection, the live
screen shown; at the injection with the alarm list shown, then the settings, then the live screen with
its imaging controls in the column (the step panel out of the tree).
Run by tests/ui/test_column_frames.py."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui.driver import scenario_args  # noqa: E402

ARGS = scenario_args("800x480")

from tests.ui.cart_scenario import ready, run_to_end  # noqa: E402
from tests.ui.driver import Report, Steps, pause, settled, start_cart_app, wait  # noqa: E402
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP  # noqa: E402

#: Frames sampled after the new step, and while the live screen is hidden.
FRAMES = 30
#: The step answered right after the drag (its body scrolls at 7 inches; "done" goes to the next step).
DRAGGED = ("antithrombotics", "done")


def body_offset(panel: Any) -> float:
    """How far (px) the body's top is above its window's top: 0 when shown from its top."""
    scroll, body = panel.ids.scroll, panel.ids.body
    return float(body.to_window(body.x, body.top)[1] - scroll.to_window(scroll.x, scroll.top)[1])


def drag_up(scroll: Any) -> Steps:
    """A finger on the body's window near its bottom, moved up 150 px over 6 frames and let go (a fling)."""
    from kivy.tests.common import UnitTestTouch

    x, y = scroll.to_window(scroll.center_x, scroll.y + 20)
    t = UnitTestTouch(x, y)
    t.touch_down()
    for k in range(1, 7):
        yield
        t.touch_move(x, y + 25 * k)
    t.touch_up()
    yield


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-frames-"))
    app, stop = start_cart_app(ARGS.link, tmp)
    report = Report(ARGS.report)
    layouts = [0]

    def count_layouts() -> None:
        pages = app.live_screen.column_pages
        lay_out = pages.lay_out

        def counted() -> None:
            layouts[0] += 1
            lay_out()

        pages.lay_out = counted  # the instance's: every trigger and binding calls it by name

    def new_step_frames() -> Steps:
        for step, key in SIGN_IN_TO_PREP:
            if step == DRAGGED[0]:
                break
            app.step_action(key)
        yield from wait(lambda: app.form.view().step_id == DRAGGED[0], 5, "the dragged step")
        yield from settled(max_s=1.0)
        panel = app.current().ids.panel
        scroll = panel.ids.scroll
        report["dragged"] = {"body": panel.ids.body.height, "window": scroll.height}
        yield from drag_up(scroll)
        report["dragged"]["offset"] = body_offset(panel)
        app.step_action(DRAGGED[1])
        offsets = []
        for _ in range(FRAMES):
            yield
            shown = app.current().ids.panel
            # [the new step's text shown?, the body's offset]: the frame that shows it may come a frame late
            offsets.append([shown.step_text == app.form.view().text, body_offset(shown)])
        report["after_new_step"] = {"step": app.form.view().step_id, "offsets": offsets}

    def still(name: str) -> Steps:
        """FRAMES frames of the live column as it is now: its layouts so far, its body's window, header
        and pages."""
        yield from settled(max_s=1.0)
        panel, pages = app.live_screen.step_panel, app.live_screen.column_pages
        frames = []
        for _ in range(FRAMES):
            yield
            frames.append(
                {
                    "layouts": layouts[0],
                    "window": panel.ids.scroll.height,
                    "header_min": panel.header_min,
                    "pages": len(pages.page_ranges),
                    "screen": app.screens.current,
                }
            )
        report[name] = frames

    def hidden_frames() -> Steps:
        for step, key in SIGN_IN_TO_PREP:
            if app.form.view().step_id == step:
                app.step_action(key)
        app.step_action("confirm")  # skin prepared: the STOP, on the prep screen (live not shown yet)
        yield from wait(lambda: app.form.view().step_id == "stop_before_block", 5, "the STOP")
        yield from still("stop_unshown")
        for key in ("stop:dr_ana:left", "stop:rn_ben:left"):
            app.step_action(key)
        yield from wait(lambda: app.form.view().kind == "injection", 5, "the injection step")
        yield from still("injection_unshown")
        app.go_procedure()
        yield from wait(lambda: app.screens.current == "live", 5, "the live screen")
        yield from pause(1.0)
        app.show("alarms")
        yield from wait(lambda: app.screens.current == "alarms", 5, "the alarm list")
        yield from still("hidden")
        app.show("settings")
        yield from still("hidden_settings")
        app.show("live")
        yield from pause(0.5)
        app.image_panel = True  # the imaging controls in the column: the step panel out of the tree
        yield from still("image_panel")
        app.image_panel = False

    def scenario() -> Steps:
        yield from ready(app)
        count_layouts()
        app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
        app.go_procedure()
        yield from wait(lambda: app.screens.current == "sign_in", 5, "the sign-in screen")
        yield from new_step_frames()
        yield from hidden_frames()

    return run_to_end(app, stop, scenario(), report)


if __name__ == "__main__":
    sys.exit(main())
