"""The live screen's column beside the image at three moments, at one size: the STOP just after a wrong
side was stated (its HIGH prompt up), the injection with a MEDIUM prompt up, and the injection with that
prompt acknowledged (its "acknowledged" line in the column). At the first two, every page of the column's
body is visited by taps on it until the first page comes back. At each page every text in the column is
read from the real window's widget tree (column_geometry), with the core's own texts of the step (the
oracle's input). Also, every catalogue procedure's STOP and injection text laid out clause by clause by
Kivy's text layout at the body's width, against the body's height. Run by tests/ui/test_column_whole.py."""

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
from tests.ui.column_geometry import catalogue_clauses, column_texts  # noqa: E402
from tests.ui.driver import Report, Steps, pause, start_cart_app, touch, wait  # noqa: E402
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP  # noqa: E402

#: Taps on the body before giving up on seeing the first page again (a cycle longer is a failure).
MAX_PAGES = 30


def main() -> int:
    ARGS.artifacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sonocart-column-"))
    app, stop = start_cart_app(ARGS.link, tmp)
    report = Report(ARGS.report)

    def look(name: str) -> dict[str, Any]:
        live = app.live_screen
        view = app.form.view()
        seen = column_texts(live)
        panel = live.step_panel
        seen["core"] = {
            "text": view.text,
            "detail": panel.detail,  # the step's detail and the needle readout, as the column is given it
            "toast": live.toast_text,
            "buttons": [b.text for b in panel.ids.actions.children],  # the step's other buttons
        }
        app.save_screenshot(ARGS.artifacts / f"column-{name}.png")
        return seen

    def measure(name: str, cycle: bool) -> Steps:
        live = app.live_screen
        assert live is not None
        yield from pause(0.8)  # the text tick and the layout settle
        first = look(name)
        report[name] = first
        if not cycle:
            return
        seen = [first]
        pages = live.column_pages
        for _ in range(MAX_PAGES):
            if len(pages.page_ranges) < 2:
                break
            # a tap on the body: on its "more" row, or (a page of one item too tall for the row) on it
            yield from touch(pages.more_row if pages.more_row.text else live.step_panel.ids.scroll)
            yield from pause(0.3)
            page = look(f"{name}-{len(seen) + 1}")
            if pages.page == 0:
                report[f"{name}_back"] = page
                break  # the first page again
            seen.append(page)
        report[f"{name}_pages"] = seen

    def scenario() -> Steps:
        yield from ready(app)
        app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
        app.go_procedure()
        for _step, key in SIGN_IN_TO_PREP:
            app.step_action(key)
        app.step_action("confirm")  # skin prepared: the STOP
        yield from wait(lambda: app.form.view().step_id == "stop_before_block", 5, "the STOP")
        app.go_procedure()
        yield from wait(lambda: app.screens.current == "live", 5, "the live screen")
        live = app.live_screen
        yield from wait(lambda: live.strip_button("stop:dr_ana:right") is not None, 5, "the STOP's strip")
        live.strip_action("stop:dr_ana:right")  # a wrong side stated: the HARD STOP's prompt
        yield from wait(lambda: app.session.highest_prompt() is not None, 3, "the STOP's prompt")
        yield from measure("stop", cycle=True)
        report["stop_clauses"] = catalogue_clauses(live, "two_person_stop")
        for key in ("stop:dr_ana:left", "stop:rn_ben:left"):  # restated, then the second person
            app.step_action(key)
        yield from wait(lambda: app.form.view().kind == "injection", 5, "the injection step")
        while (top := app.session.highest_prompt()) is not None and not top.acknowledged:
            yield from pause(1.1)  # read before acknowledged
            app.acknowledge_top()
        live.strip_action("aliquot")  # logged without a negative aspiration first: MEDIUM
        yield from wait(
            lambda: (t := app.session.highest_prompt()) is not None and not t.acknowledged, 3, "MEDIUM prompt"
        )
        yield from measure("medium", cycle=True)
        report["injection_clauses"] = catalogue_clauses(live, "injection")
        yield from pause(1.1)
        app.acknowledge_top()
        yield from wait(lambda: "acknowledged" in live.step_panel.toast, 5, "the acknowledged line")
        yield from measure("acknowledged", cycle=False)

    return run_to_end(app, stop, scenario(), report)


if __name__ == "__main__":
    sys.exit(main())
