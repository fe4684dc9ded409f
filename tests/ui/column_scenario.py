"""The live screen's column beside the image at three moments, at one size: the STOP just after a wrong
side was stated (its HIGH prompt up), the injection with a MEDIUM prompt up, and the injection with that
prompt acknowledged (its "acknowledged" line in the column). At the first two, every page of the column's
body is visited by taps on it (on its "more" row, else on its window beside the buttons) until the first
page comes back; at the injection, then by taps on the step's header alone until the first page comes
back (and what those taps did to the volume and the aliquots). At the injection, "+ 1 mL" is then
touched on its own page: the volume the next aliquot records goes up by exactly 1 mL and the page stays.
At each page every text in the column is read from the real window's widget tree (column_geometry),
with the core's own texts of the step (the oracle's input). Also, every catalogue procedure's STOP and
injection text laid out clause by clause by Kivy's text layout at the body's width, against the body's
height. Run by tests/ui/test_column_whole.py."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ui.driver import scenario_args  # noqa: E402

ARGS = scenario_args("800x480")

from sonocart_ui.viewmodels.column import button_rows  # noqa: E402
from sonocart_ui.viewmodels.keypad import KEYS  # noqa: E402
from sonocart_ui.viewmodels.live import sterile_strip  # noqa: E402
from tests.ui.cart_scenario import ready, run_to_end  # noqa: E402
from tests.ui.column_count import tallest_gap  # noqa: E402
from tests.ui.column_geometry import catalogue_clauses, column_texts, whole_heights  # noqa: E402
from tests.ui.driver import Report, Steps, pause, start_cart_app, touch, wait  # noqa: E402
from tests.ui.layout import window_rect  # noqa: E402
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP  # noqa: E402

#: Taps on the body before giving up on seeing the first page again (a cycle longer is a failure).
MAX_PAGES = 30


def grid_labels(view: Any) -> list[str]:
    """The labels of the step's buttons in the column, from the core's view (not from the grid): the step's
    actions less the fixed strip's and the closing button, marked as a grid marks them."""
    strip = sterile_strip(view)
    rest = view.actions if strip is None else strip.rest
    return [
        ("[!] " if a.unsafe else "[X] " if a.selected else "") + a.label
        for a in rest
        if a is not view.submit and a.key not in KEYS
    ]


def free_point(scroll: Any, buttons: list[Any]) -> tuple[float, float, float]:
    """The middle of the tallest band across the body's window (window px) that no button shown is in, and
    that band's height."""
    x, y, w, h = window_rect(scroll)
    lo, hi = tallest_gap(y, h, buttons)
    taken = [(r[1], r[1] + r[3]) for r in (window_rect(b) for b in buttons)]
    assert hi - lo >= 4, ("no room in the body beside its buttons", taken, (y, h))
    return x + w / 2, (lo + hi) / 2, hi - lo


def tap_at(x: float, y: float) -> Steps:
    """Press and release at a window point, as a finger would."""
    from kivy.tests.common import UnitTestTouch

    t = UnitTestTouch(x, y)
    t.touch_down()
    yield
    t.touch_up()
    yield
    yield


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
        state = app.session.engine.state
        seen["core"] = {
            "text": view.text,
            "detail": panel.detail,  # the step's detail and the needle readout, as the column is given it
            "toast": live.toast_text,
            "buttons": grid_labels(view),  # the step's other buttons, all of them
            "phase": view.phase_title,
            # how many steps its phase has, in the catalogue's procedure (a phase of one: no progress)
            "phase_steps": len(state.procedure.phases[state.phase_index].steps),
        }
        # each whole text laid out alone at the body's width (what a part's split is judged against)
        split = {"toast": [live.toast_text] if live.toast_text else []}
        split["fact"] = [
            f.strip() for line in panel.detail.split("\n") for f in line.split(" · ") if f.strip()
        ]
        split["clause"] = [c for c in re.split(r"(?<=[;.]) +", view.text.strip()) if c]
        seen["core"]["heights"] = whole_heights(live, split)
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
            yield from tap_body(live)
            yield from pause(0.3)
            page = look(f"{name}-{len(seen) + 1}")
            if pages.page == 0:
                report[f"{name}_back"] = page
                break  # the first page again
            seen.append(page)
        report[f"{name}_pages"] = seen

    def tap_body(live: Any) -> Steps:
        """A tap on the body: on its "more" row, or (a page of one item too tall for the row) on its window,
        beside the buttons shown (a tap on one of them is that button's)."""
        pages, panel = live.column_pages, live.step_panel
        if pages.more_row.text:
            yield from touch(pages.more_row)
            return
        shown = list(panel.ids.actions.children) if panel.grid_shown else []
        x, y, band = free_point(panel.ids.scroll, shown)
        report["free_bands"] = [*report.data.get("free_bands", []), band]  # px of body a tap may land on
        yield from tap_at(x, y)

    def tap_button(key: str) -> Steps:
        """Page on to the page showing ``key``'s button, touch it there: what it did, and the page after."""
        live = app.live_screen
        pages, panel = live.column_pages, live.step_panel
        for _ in range(MAX_PAGES):
            b = panel.ids.actions.button(key)
            if panel.grid_shown and b is not None and b.parent is not None:
                break
            yield from tap_body(live)
            yield from pause(0.3)
        given = app.session.injection_panel()
        page, ml = pages.page, app.session.aliquot_ml
        yield from touch(panel.ids.actions.button(key))
        yield from pause(0.5)
        report["button_tap"] = {
            "key": key,
            "page": page,
            "pages": len(pages.page_ranges),
            "page_after": pages.page,
            "ml_before": ml,
            "ml_after": app.session.aliquot_ml,
            # nothing else done: no aliquot logged, nothing more given
            "given_before": [given.aliquots, given.total_ml],
            "given_after": [(after := app.session.injection_panel()).aliquots, after.total_ml],
            "log_label": next((b.text for b in live.ids.strip.children if "Log" in b.text), ""),
            "screenshot": str(app.save_screenshot(ARGS.artifacts / f"column-tapped-{key}.png")),
        }

    def header_cycle() -> Steps:
        """Tap the step's header (its centre, as a finger would) until the first page comes back: each page
        read, and what the taps did to the injection (nothing: no volume, no aliquot)."""
        live = app.live_screen
        pages, header = live.column_pages, live.step_panel.ids.phase_title
        # the same pages all along: the feedback's 3 s over, and the pause between aliquots (its timer a fact
        # of its own: at 7 inches, 18 taps on a loaded host outlasted it, one page fewer mid-cycle)
        yield from wait(lambda: not live.toast_text, 10, "the feedback's 3 s over")
        yield from wait(lambda: "aliquot pause" not in live.step_panel.detail, 60, "the aliquot pause over")
        given, ml = app.session.injection_panel(), app.session.aliquot_ml
        seen = [look("header-1")]
        for _ in range(MAX_PAGES):
            yield from touch(header)
            yield from pause(0.3)
            page = look(f"header-{len(seen) + 1}")
            if pages.page == 0:
                report["header_back"] = page
                break
            seen.append(page)
        after = app.session.injection_panel()
        report["header_pages"] = seen
        report["header_taps"] = {
            "header": list(window_rect(header)),
            "ml_before": ml,
            "ml_after": app.session.aliquot_ml,
            "given_before": [given.aliquots, given.total_ml],
            "given_after": [after.aliquots, after.total_ml],
        }

    def frozen_look() -> Steps:
        """The image frozen and a caliper placed by two touches on it (the column then holds the caliper
        readout and the cine slider too): what the column draws; then live again."""
        from kivy.tests.common import UnitTestTouch

        live = app.live_screen
        app.live_action("freeze")
        yield from wait(lambda: live.frozen, 5, "frozen")
        x, y = live.ids.image.to_window(*live.ids.image.center)
        for px in (x - 60, x + 40):
            t = UnitTestTouch(px, y)
            t.touch_down()
            t.touch_up()
            yield
        yield from wait(lambda: bool(live.caliper_text), 5, "the caliper readout")
        yield from pause(0.5)
        report["frozen"] = look("frozen")
        app.live_action("freeze")  # live again
        yield from wait(lambda: not live.frozen, 5, "live again")

    def grid_pairs(width: float) -> Steps:
        """A grid as wide as the column's body, of "Yes", "No" and "Test dose", in the rows the pages would
        cut it in, laid out by Kivy: where each button is (no catalogue step's buttons in the live column
        have two labels that fit half a row, so the pages never show a pair)."""
        from kivy.core.window import Window

        from sonocart_ui.action_grid import ActionGrid
        from sonocart_ui.viewmodels.actions import Action

        grid = ActionGrid(size_hint_x=None, width=width, pos=(0, 0))
        Window.add_widget(grid)
        grid.show([Action("yes", "Yes"), Action("no", "No"), Action("test", "Test dose")])
        yield from pause(0.3)
        rows = button_rows([grid.one_line(i, 2) for i in range(len(grid.buttons))])
        grid.show_rows(rows)
        yield from pause(0.3)
        report["grid_pairs"] = {
            "rows": rows,
            "grid": list(window_rect(grid)),
            "shown": [b.text for b in grid.children],
            "buttons": [
                {"text": b.text, "rect": list(window_rect(b)), "lines": len(b._label._cached_lines)}
                for b in grid.buttons
            ],
        }
        Window.remove_widget(grid)

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
        yield from header_cycle()  # the same pages, by taps on the header alone
        yield from tap_button("vol:+")  # on its own page: the volume the next aliquot records, +1 mL
        yield from pause(1.1)
        app.acknowledge_top()
        yield from wait(lambda: "acknowledged" in live.step_panel.toast, 5, "the acknowledged line")
        yield from measure("acknowledged", cycle=False)
        yield from frozen_look()
        yield from grid_pairs(live.step_panel.ids.body.width)

    return run_to_end(app, stop, scenario(), report)


if __name__ == "__main__":
    sys.exit(main())
