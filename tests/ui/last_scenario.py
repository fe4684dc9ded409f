"""LAST emergency mode on the real app at 800x480 (the smallest screen): the nav bar's LAST button is on
screen with every nav button, opens the LAST screen from the live screen, and a Done touch is journaled.

A part of the shared screens run (screens_scenario.py, at 800x480 only) for tests/ui/test_last_screen.py;
it writes what it saw to its section of the report and a screenshot to its artifacts. The simulated pedal
board is real (its on-screen buttons share the nav bar), so the layout is checked in its most crowded form.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.ui.driver import Report, Steps, pause, settled, touch, wait
from tests.ui.forms_layout import forms
from tests.ui.layout import (
    Rect,
    _scroll_of,
    cut_line,
    drawn_text_rect,
    nav_layout,
    stencils_of,
    text_audit,
    visible_widgets,
    window_rect,
)
from tests.ui.room_checks import buttons_under_bar, drag, field_hides_text, rows_cut_by_window

NAV_IDS = (
    "nav_procedure",
    "nav_scan",
    "nav_alarms",
    "nav_last",
    "pedal_a",
    "pedal_b",
    "nav_settings",
    "nav_lock",
)

#: The reasons to end typed in each look at the steps' reach: none, one line, the brief's (3 lines in the
#: title row of main at 1b25f53 at 7 inches), and longer ones (3 and 5 lines at 7 inches, 1 and 3 at 10).
REASONS = (
    "",
    "Patient recovered",
    "Patient recovered, handed to the ICU team",
    "Patient recovered, handed to the ICU team at the bedside",
    "Patient recovered, handed to the ICU team at the bedside; lipid infusion stopped after 20 minutes",
)
#: Drags of a third of the steps' window, slow (over 24 frames: little fling), at most, from the list's
#: top to its end: a look at each place the list comes to rest on the way.
DRAGS = 16


def part(app: Any, report: Report, artifacts: Path, _tmp: Path) -> Steps:
    """From the start screen, no record open: a record opened, the live screen locked, LAST started from
    its button, a Done touched, its prompt acknowledged, Lock refused. LAST stays active at its end."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    session, cart = app.session, app.cart

    def settle() -> Steps:
        """The redraw an action set off has run: every text still for 3 frames (0.3 s at most)."""
        yield from settled(max_s=0.3)

    def look() -> dict[str, object]:
        """Where the top prompt is on the LAST screen (the nav bar's band, wide or not, or the bar above),
        the nav bar, every text's fit, and where each widget of the LAST screen is."""
        nav, bar = app.root.ids.nav, app.root.ids.prompt
        place = (
            ("nav wide" if nav.prompt_wide else "nav") if nav.prompt_up else ("top" if bar.showing else "")
        )
        top = session.highest_prompt()
        return {
            "place": place,
            "shown": nav.ids.nav_prompt.text if nav.prompt_up else bar.text,
            "prompt_text": top.text if top else "",
            "nav": nav_layout(app),
            "cut": [
                t["text"] for t in text_audit(Window) if t["shortened"] or t["overflow"] or t["broken_word"]
            ],
            "screen": [window_rect(w) for w in visible_widgets(app.screens.current_screen)],
        }

    yield
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 60.0, "dr_ana")
    yield from settle()
    nav = app.root.ids.nav
    report["nav"] = {
        i: {"text": nav.ids[i].text, "x": nav.ids[i].x, "right": nav.ids[i].right} for i in NAV_IDS
    }
    report["window_width"] = Window.width
    app.show("live")
    yield from settle()
    report["before"] = app.screens.current
    yield from touch(nav.ids.nav_lock)  # sign-in is not sterile: the cart locks
    yield from settle()
    report["locked"] = app.screens.current
    yield from touch(nav.ids.nav_last)  # the LAST button still works on a locked screen
    yield from settle()
    report["after_nav"] = app.screens.current
    screen = app.screens.current_screen
    yield from touch(screen.ids.start)
    yield from settle()
    report["start_label_after_one_touch"] = screen.ids.start.text
    report["active_after_one_touch"] = session.last_active()
    yield from touch(screen.ids.start)
    yield from wait(session.last_active, 3, "LAST mode active")
    yield from settle()
    report["locked_after_start"] = cart.lock.locked
    report["title"] = screen.ids.title.text
    report["prompt"] = app.root.ids.prompt.text
    report["plan"] = screen.ids.plan.text
    widget = screen.step_widget("stop_injecting")
    assert widget is not None
    yield from touch(widget.ids.done)
    yield from settle()
    report["toast"] = app.root.ids.toast.text
    widget = screen.step_widget("stop_injecting")
    report["done_label"] = "" if widget is None else widget.ids.done.text
    screen.ids.reason.text = "Patient recovered, handed to the ICU team"  # typed, not ended
    yield from settle()
    report["forms"] = forms(app)  # the reason keeps its name beside it once typed into
    # what was typed, all of it (the field once showed "...ed to the ICU team"); the bar beside the buttons
    report["reason_hidden"] = field_hides_text(screen.ids.reason)
    report["reason_rect"] = window_rect(screen.ids.reason)
    report["under_bar"] = buttons_under_bar(screen)
    report["look_unacked"] = look()
    # Acknowledged on its own target after reading it (the nav bar's whole band right of LAST, or the
    # bar above when too long for it): it stays shown and the light stays HIGH; no lock.
    yield from pause(1.2)
    bar = app.root.ids.prompt
    report["prompt_wide"] = app.root.ids.nav.prompt_wide and app.root.ids.nav.prompt_up
    yield from touch(app.prompt_target())
    yield from settle()
    report["prompt_after_ack"] = bar.text
    report["can_ack_after_ack"] = bar.can_ack
    report["light_after_ack"] = cart.pedal.status().indicator
    report["look_acked"] = look()
    # Lock: its button, or (given way to the prompt's short form) what it calls: refused during LAST
    if nav.ids.nav_lock.get_root_window() is not None and not nav.ids.nav_lock.disabled:
        yield from touch(nav.ids.nav_lock)
    else:
        app.lock_now()
    yield from settle()
    report["screen_after_lock_touch"] = app.screens.current
    app.save_screenshot(artifacts / f"last-{Window.width}x{Window.height}.png")  # make screenshots: each size
    # The steps dragged up by a finger and let go: once the scroll stops, no row or line cut by its window
    steps = screen.ids.steps_scroll.__self__  # the widget, not the ids' weak proxy (compared by "is")
    report["steps_scrollable"] = steps.children[0].height > steps.height
    yield from drag(steps, steps.height * 0.55)
    report["after_drag"] = dragged = {
        "scroll_y": float(steps.scroll_y),
        "rows_cut": rows_cut_by_window(screen),
        "lines_cut": [
            c
            for w in visible_widgets(steps)
            if isinstance(w, Label) and _scroll_of(w) is steps and (c := cut_line(w, window_rect(steps)))
        ],
        "under_bar": buttons_under_bar(screen),
    }
    app.save_screenshot(artifacts / f"last-dragged-{Window.width}x{Window.height}.png")
    report["reach"] = reach = []
    shot = False
    for reason in REASONS:
        yield from reach_along(app, screen, reason, reach)
        if reach[-1]["reason_lines"] == 3 and not shot:
            # the first reason on 3 lines, at the list's end: whole beside End LAST (make screenshots)
            app.save_screenshot(artifacts / f"last-end-{Window.width}x{Window.height}.png")
            shot = True
    # the lipid bolus and infusion given: all three timers run, the plan and they are wholly drawn
    for step in ("lipid_bolus", "lipid_infusion"):
        widget = screen.step_widget(step)
        assert widget is not None
        yield from touch(widget.ids.done)
        yield from settle()
    report["timers_running"] = [t.name for t in screen.vm.timers()]
    report["timers_reach"] = dict(steps_reach(app, screen), reason=screen.ids.reason.text, drag=-1)
    # asserted here too, once every look is taken: make screenshots runs this part at each size (the
    # test at 800x480 and 1280x800): no row or line cut after the drag, the reason whole, no button under
    # the bar; no step shown without its Done or in part, End LAST never without its reason whole, the
    # plan and timers whole, at every look
    wrong = [(look["reason"], look["drag"], look["defects"]) for look in [*reach, report["timers_reach"]]]
    hidden_or_under = (report["reason_hidden"], report["under_bar"], dragged["under_bar"])
    cut = (dragged["rows_cut"], dragged["lines_cut"])
    assert not (any(cut) or any(hidden_or_under) or any(w[-1] for w in wrong)), (
        cut,
        hidden_or_under,
        [w for w in wrong if w[-1]],
    )
    record = session.record
    assert record is not None
    report["journal"] = [[e.type, e.operator, e.payload] for e in record.journal.events()]
    screen.ids.reason.text = ""  # what was typed, not left for the next part's LAST screen


def reach_along(app: Any, screen: Any, reason: str, looks: list[dict[str, Any]]) -> Steps:
    """``reason`` typed, the steps' list dragged back to its top by a finger, then up by a third of its
    window at a time, slowly, to its end: a look (steps_reach) at each rest, appended to ``looks``."""
    screen.ids.reason.text = reason
    yield from settled(max_s=0.5)
    steps = screen.ids.steps_scroll.__self__
    for _ in range(DRAGS):  # back to the top, as a finger would (a drag's fling may stop short of it)
        if float(steps.scroll_y) >= 0.999:
            break
        yield from drag(steps, -float(steps.height) * 0.9)
    for i in range(DRAGS + 1):
        yield from still(steps)
        looks.append(dict(steps_reach(app, screen), reason=reason, drag=i))
        if float(steps.scroll_y) <= 0.001 or steps.children[0].height <= steps.height:
            break
        yield from drag(steps, steps.height / 3, frames=24)


def still(scroll: Any, frames: int = 10, max_s: float = 3.0) -> Steps:
    """Frames until ``scroll`` shows its content from the same place ``frames`` frames running (its
    spring and the settle of its rows done: at rest, as a team reads it), for ``max_s`` at most."""
    body, last, same = scroll.children[0], None, 0
    t0 = time.monotonic()
    while same < frames and time.monotonic() - t0 < max_s:
        yield
        now = (round(float(body.to_window(body.x, body.top)[1]), 1), round(float(scroll.height), 1))
        same = same + 1 if now == last else 0
        last = now


def steps_reach(app: Any, screen: Any) -> dict[str, Any]:
    """What a team sees of the LAST steps now, measured from the widget tree as a ruler on the glass would:
    each step's text and Done button against the part of the window it is drawn in (its rectangle
    clipped by the screen's, the Kivy window's and every scroll or stencil view holding it). A step is
    whole when its text and its Done are wholly drawn; a step whose text is drawn in part, or whose
    Done is not wholly drawn while any of its text is, is a defect. End LAST, when any of it is drawn,
    must be whole with the reason's field wholly drawn and showing all of the reason (field_hides_text);
    the lipid plan and the timers are wholly drawn."""
    view = screen.ids.steps_scroll
    steps = [w for w in screen.ids.steps.children[::-1] if type(w).__name__ == "LastStepWidget"]
    rows, defects = [], []
    for w in steps:
        text, done = drawn_text_rect(w.ids.txt), window_rect(w.ids.done)
        text_shown, text_whole = _shown(w.ids.txt, text, screen)
        done_shown, done_whole = _shown(w.ids.done, done, screen)
        box = window_rect(w)
        rows.append(
            {
                "step": w.step_id,
                "text": text_shown,
                "whole": text_whole and done_whole,
                "y": [round(box[1]), round(box[1] + box[3])],
            }
        )
        if text_shown and not text_whole:
            defects.append(f"{w.step_id}: its text cut by the window's edge")
        if (text_shown or done_shown) and not done_whole:
            defects.append(
                f"{w.step_id}: its text shown, its Done button not wholly ({done_shown}; "
                f"Done {[round(v) for v in done]}, window {[round(v) for v in window_rect(view)]})"
            )
    end, reason = screen.ids.end, screen.ids.reason
    end_shown, end_whole = _shown(end, window_rect(end), screen)
    reason_shown, reason_whole = _shown(reason, window_rect(reason), screen)
    hidden = field_hides_text(reason) if reason.text else []
    if end_shown and not (end_whole and reason_whole and not hidden):
        defects.append(f"End LAST shown without its reason whole beside it ({reason_shown}, {hidden})")
    for name in ("plan", "timers"):
        label = screen.ids[name]
        if not _shown(label, drawn_text_rect(label), screen)[1]:
            defects.append(f"the {name} not wholly drawn: {label.text!r}")
    return {
        "window": [round(v) for v in _clip(window_rect(screen.ids.steps_scroll), screen)],
        "scroll_y": round(float(screen.ids.steps_scroll.scroll_y), 3),
        "whole_steps": [r["step"] for r in rows if r["whole"]],
        "steps": rows,
        "end_shown": end_shown,
        "reason_lines": len(reason._lines) if reason.text else 0,
        "defects": defects,
    }


def _clip(rect: Rect, screen: Any) -> Rect:
    """``rect`` cut to the screen's rectangle (between the bars) and the Kivy window's."""
    from kivy.core.window import Window

    for r in (window_rect(screen), (0.0, 0.0, float(Window.width), float(Window.height))):
        x0, y0 = max(rect[0], r[0]), max(rect[1], r[1])
        x1, y1 = min(rect[0] + rect[2], r[0] + r[2]), min(rect[1] + rect[3], r[1] + r[3])
        rect = (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))
    return rect


def _shown(w: Any, rect: Rect, screen: Any) -> tuple[bool, bool]:
    """Whether any of ``rect`` (what ``w`` draws) is drawn (more than 1 px high and wide), and all of it
    (to 1 px): clipped by the screen, the window and each scroll or stencil view holding ``w``."""
    seen = _clip(rect, screen)
    for view in stencils_of(w):
        v = window_rect(view)
        x0, y0 = max(seen[0], v[0]), max(seen[1], v[1])
        x1, y1 = min(seen[0] + seen[2], v[0] + v[2]), min(seen[1] + seen[3], v[1] + v[3])
        seen = (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))
    shown = seen[2] > 1 and seen[3] > 1
    return shown, shown and seen[2] >= rect[2] - 1 and seen[3] >= rect[3] - 1
