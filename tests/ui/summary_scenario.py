"""The Summary's PACS result in the real window: a part of the shared run (screens_scenario.py) for
tests/ui/test_summary_pacs_band.py.

A record is opened and the Summary shown; Send to PACS is touched with the cart's PACS on a port nothing
listens on (down; then the cart announces a send the PACS partly refused, its reason long), then on a
real Orthanc's (sent; the ports come from the test in the environment).
Each look reads the core's message, the toast in the status band, the result beside the actions and
every text on screen from the widget tree; the test holds the expected words.

Then (tests/ui/test_status_bar.py) the status bar of every catalogue procedure at each of its sides: each
part's text, width and laid-out height, and its one-line size measured apart by Kivy's CoreLabel. And
(tests/ui/test_summary_record.py) a record driven to its end with three stills from the live image, a
complication picked and the observation's hard stop overridden with a reason, its Summary looked at at
rest and scrolled to its end: where each still is drawn and the body's window, the record's lines.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sonocart.cart.events import PacsFinished
from sonocart.clock import ManualClock
from sonocart.procedures import inputs as I
from tests.procedures.procedure_drivers import advance_to, confirm_routine, default_answer
from tests.ui.driver import Report, Steps, settled, touch, wait
from tests.ui.layout import text_audit, visible_widgets, window_rect
from tests.ui.room_checks import check_summary_room, rows_cut_by_window

#: The core's words for a send the PACS partly refused (cart/pacs.py result_message), written out here.
FAILED = "PACS sent 0, 1 failed and stay queued: C-STORE status 0xA700 (out of resources)"
#: What the record of the Summary's look holds besides the usual: two complications, an override's reason.
COMPLICATIONS = ["vasovagal", "suspected_intravascular"]
OVERRIDE = "Patient self-discharged against advice after 12 minutes, observed by RN Ben"
STILLS = 3


def part(app: Any, report: Report, artifacts: Path, _tmp: Path) -> Steps:
    """From the start screen: the looks ``before``, ``down``, ``failed`` and ``sent``."""
    from kivy.core.window import Window

    ports = {
        "down": int(os.environ["SONOCART_TEST_PACS_DOWN"]),
        "sent": int(os.environ["SONOCART_TEST_PACS_UP"]),
    }

    def look(name: str) -> None:
        sm = app.screens.get_screen("summary")
        shown = list(visible_widgets(Window))
        band = sm.ids.pacs_result
        toast = app.root.ids.toast
        said = app.session.feedback
        report[name] = {
            "screen": app.screens.current,
            # the core's newest message, and what of it the status band shows
            "said": "" if said is None else (said.text if said.ok else f"[!] {said.text}"),
            "toast": toast.text if toast.opacity > 0 else "",
            "result": band.text if band in shown else None,
            "result_rect": window_rect(band),
            "result_texture": list(band.texture_size),
            "result_colour": list(band.color),
            "buttons": {k: window_rect(sm.ids[k]) for k in ("export", "send", "new")},
            "nav": window_rect(app.root.ids.nav),
            "body_end": sm.ids.pacs.text,
            "texts": text_audit(Window),
        }
        app.save_screenshot(artifacts / f"summary-{name}.png")

    app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    yield from wait(lambda: app.screens.current != "start", 5, "the record's first screen")
    app.show("summary")
    yield from settled()
    look("before")
    sm = app.screens.get_screen("summary")
    for name, port in ports.items():
        app.session.settings.pacs.port = port
        yield from touch(sm.ids.send)
        yield from wait(lambda: not sm.sending and app.session.feedback is not None, 60, f"{name} send")
        yield from wait(lambda: "PACS" in app.session.feedback.text, 5, f"{name} said")
        yield from settled()
        look(name)
        if name == "down":  # a send some objects of which the PACS refused, as the cart announces it
            app.session.say(FAILED, ok=False)
            app.cart.emit(PacsFinished(FAILED, False))
            yield from settled()
            look("failed")
    yield from status_bars(app, report)
    yield from summary_of_a_record(app, report, artifacts)


def status_bars(app: Any, report: Report) -> Steps:
    """The status bar of each catalogue procedure at each of its sides (the consent's side answered)."""
    report["status"] = looks = []
    for proc in app.session.catalogue.procedures.values():
        for side in proc.sides:
            app.session.close()
            app.session.start(proc.id, {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
            advance_to(app.session.record, ManualClock(), "consent_side")  # no clock before it
            app.session.engine.submit(I.Answer("consent_side", side, "dr_ana"))
            app._redraw()
            yield from settled()
            looks.append({"procedure": proc.id, "side": side, **status_look(app)})


def status_look(app: Any) -> dict[str, Any]:
    """The bar's width, margins and gaps, and each part: its text, width, laid-out size and lines, and
    its text's size on one line as Kivy's CoreLabel lays it out alone (the oracle)."""
    from kivy.core.text import Label as CoreLabel

    bar = app.root.ids.status
    parts = []
    for key in ("banner", "operator", "probe", "pedal"):
        w = bar.ids[key]
        w.texture_update()
        one = CoreLabel(text=w.text, font_size=w.font_size, bold=w.bold)
        one.refresh()
        parts.append(
            {
                "text": w.text,
                "rect": list(window_rect(w)),
                "texture": list(w.texture_size),
                "lines": len(w._label._cached_lines) if w.text else 0,
                "one_line": [float(one.content_width), float(one.content_height)],
            }
        )
    return {
        "bar": list(window_rect(bar)),
        "padding": [float(v) for v in bar.padding],
        "spacing": float(bar.spacing),
        "parts": parts,
    }


def summary_of_a_record(app: Any, report: Report, artifacts: Path) -> Steps:
    """A femoral block driven to its end by the core's inputs: the live image's stills, a complication, the
    observation's hard stop overridden; the Summary at rest and scrolled to its end."""
    from kivy.core.window import Window

    from sonocart_ui.widgets_rows import show_at

    session = app.session
    session.close()
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN0012345"}, 72.0, "dr_ana")
    rec, eng = session.record, session.engine
    for _ in range(200):
        step = eng.current_step()
        if step is None:
            break
        kind = step.kind
        if confirm_routine(eng, step, 4, lambda: None):
            continue
        if kind == "captures":
            app.show("live")  # the image as the live screen draws it (its stage's size), as a pedal takes it
            yield from settled()
            for _n in range(STILLS):
                yield from wait(lambda: app.cart.live.displayed() is not None, 10, "a live image")
                assert app.cart.capture_still(), session.feedback
            yield from wait(lambda s=step: eng.current_step() is not s, 5, "the captures step done")
        elif kind == "observation":
            eng.submit(I.Confirm(step.id, "dr_ana"))  # too early: the hard stop, overridden
            eng.submit(I.Override("observe_incomplete", OVERRIDE, "rn_ben"))
        elif step.id == "complications":
            eng.submit(I.Answer(step.id, COMPLICATIONS, "dr_ana"))
        else:
            eng.submit(I.Answer(step.id, default_answer(rec, step.id, kind), "dr_ana"))
    assert eng.state.completed, eng.current_step()
    app.show("summary")
    yield from settled()
    sm = app.screens.get_screen("summary")
    scroll = sm.ids.scroll

    def look(name: str) -> dict[str, Any]:
        shown = [w for w in visible_widgets(Window) if type(w).__name__ == "Image"]
        app.save_screenshot(artifacts / f"summary-record-{name}.png")
        return {
            "window": list(window_rect(scroll)),
            "scroll_y": float(scroll.scroll_y),
            "font_px": [float(w.font_size) for w in reversed(sm.ids.lines.children)],
            "stills": [list(window_rect(t.ids.still)) for t in reversed(sm.ids.thumbs.children)],
            "drawn": [list(w.norm_image_size) for w in shown],
            "lines": [list(window_rect(w)) for w in reversed(sm.ids.lines.children)],
            "cut": rows_cut_by_window(sm),
            "texts": text_audit(Window),
        }

    r = report["record"] = {"text": sm.ids.lines.text, "at_rest": look("rest")}
    room = artifacts / f"summary-record-{Window.width}x{Window.height}"
    room.mkdir(parents=True, exist_ok=True)
    r["room"] = check_summary_room(app, room)
    r["scrolled"] = []
    thumbs = [t for t in reversed(sm.ids.thumbs.children) if type(t).__name__ == "Thumbnail"]
    for i, thumb in enumerate(thumbs):  # each still scrolled to (a drag that brings it in), then the end
        scroll.scroll_to(thumb, padding=0, animate=False)
        yield from settled()
        r["scrolled"].append(look(f"still-{i + 1}"))
    show_at(scroll, 0.0)
    yield from settled()
    r["scrolled"].append(look("end"))
