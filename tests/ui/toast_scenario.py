"""A toast longer than the status band's two lines on a checklist screen: a part of the shared run
(screens_scenario.py) for tests/ui/test_toast_band.py.

The femoral block is answered up to the weight step (its keypad and closing button); a corrected consent
then holds the step, and the core says so in its longest toast of the sign-in ("input — Held: ...",
three lines at 7 inches). Looks: before it, each of its pages while it is up, after it is gone; then a
message through the core's own ``say`` longer than any it sends today (six lines at 7 inches), each page
and after. Each look records every button on screen and where the toast is; the test compares them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sonocart.procedures.inputs import Correct
from sonocart_ui.bars import TOAST_S
from tests.ui.driver import Report, Steps, settled, wait
from tests.ui.layout import line_texts, text_audit, visible_widgets, window_rect
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP

#: Longer than any message the core sends today: the band's pages must hold it whole all the same.
LONGEST = (
    "input — Held: Consent is signed, in date and covers this procedure. - answered no (override needs a"
    " second person); Lipid emulsion and the LAST kit are in the room, checked and in date. - answered no"
    " (override needs a second person) — override it or correct the earlier answer; and a third clause"
    " so that this message is longer than every one the core has today"
)


def part(app: Any, report: Report, artifacts: Path, _tmp: Path) -> Steps:
    """From the start screen, no record open: the looks (a list) ``before``, ``held page N``, ``held
    gone``, ``longest page N`` and ``longest gone``."""
    from kivy.core.window import Window

    report["looks"] = []

    def buttons() -> dict[str, Any]:
        from kivy.uix.button import Button

        out: dict[str, Any] = {}
        for w in visible_widgets(Window):
            if isinstance(w, Button) and w.text.strip():
                key, n = w.text, 1
                while key in out:
                    n += 1
                    key = f"{w.text} #{n}"
                out[key] = window_rect(w)
        return out

    def look(name: str) -> None:
        toast = app.root.ids.toast
        fb = app.session.feedback
        report["looks"].append(
            {
                "name": name,
                "screen": app.screens.current,
                "toast": toast.text if toast.opacity > 0 else "",
                "toast_lines": line_texts(toast) if toast.opacity > 0 else [],
                "toast_rect": window_rect(toast),
                "band": window_rect(app.root.ids.status_band),
                "screen_rect": window_rect(app.screens),
                "said": "" if fb is None else fb.text,
                "buttons": buttons(),
                "texts": text_audit(Window),
            }
        )
        app.save_screenshot(artifacts / f"toast-{len(report['looks']):02d}-{name}.png")

    def pages(name: str) -> Steps:
        """Each page of the toast up now, looked at once it is drawn; then the band after it is gone."""
        fb = app.session.feedback
        assert fb is not None
        page = 0
        while app.clock() - fb.at < 12 * TOAST_S:
            yield from wait(lambda p=page: app.clock() - fb.at >= p * TOAST_S + 0.3, 2 * TOAST_S, "page")
            yield from settled()
            if not app.root.ids.toast.text:
                break
            page += 1
            look(f"{name} page {page}")
        yield from settled()
        look(f"{name} gone")

    app.session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    app.go_procedure()
    for step, key in SIGN_IN_TO_PREP:
        if step == "weight_kg":
            break
        if app.form.view().step_id == step:
            app.step_action(key)
    yield from wait(lambda: app.form.view().step_id == "weight_kg", 5, "the weight step")
    yield from wait(lambda: app.screens.current == "sign_in", 5, "the sign-in screen")
    fb = app.session.feedback
    yield from wait(lambda: fb is None or app.clock() - fb.at > TOAST_S + 0.2, 5, "no toast")
    yield from settled()
    look("before")
    why = "form signed for the other knee"
    assert app.session.submit(lambda op: Correct("consent_valid", False, op, why), "input")
    yield from pages("held")
    app.session.say(LONGEST, ok=False)
    yield from pages("longest")
