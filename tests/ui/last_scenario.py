"""LAST emergency mode on the real app at 800x480 (the smallest screen): the nav bar's LAST button is on
screen with every nav button, opens the LAST screen from the live screen, and a Done touch is journaled.

A part of the shared screens run (screens_scenario.py, at 800x480 only) for tests/ui/test_last_screen.py;
it writes what it saw to its section of the report and a screenshot to its artifacts. The simulated pedal
board is real (its on-screen buttons share the nav bar), so the layout is checked in its most crowded form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.driver import Report, Steps, pause, settled, touch, wait
from tests.ui.forms_layout import forms
from tests.ui.layout import _scroll_of, cut_line, nav_layout, text_audit, visible_widgets, window_rect
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
    # asserted here too: make screenshots runs this part at each size (the test at 800x480)
    assert not (dragged["rows_cut"] or dragged["lines_cut"]), dragged
    hidden_or_under = (report["reason_hidden"], report["under_bar"], dragged["under_bar"])
    assert not any(hidden_or_under), hidden_or_under
    record = session.record
    assert record is not None
    report["journal"] = [[e.type, e.operator, e.payload] for e in record.journal.events()]
    screen.ids.reason.text = ""  # what was typed, not left for the next part's LAST screen
