"""How the e2e's team works the real app: what it reads on the screen after each action (``look``) and
how a finger or a foot acts (a touch on a step or strip button, a pedal on the simulated board, on the
screen or by key), each waiting until the app has acted. The procedure itself is
tests/ui/procedure_scenario.py."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sonocart_ui.app import CartApp
from sonocart_ui.bars import TOAST_S
from tests.ui.driver import Report, Steps, button_in, pause, settled, touch, wait
from tests.ui.forms_layout import forms
from tests.ui.layout import nav_layout, text_audit, window_rect


class Moves:
    def __init__(self, app: CartApp, board: Any, report: Report, artifacts: Path) -> None:
        self.app, self.board, self.report, self.artifacts = app, board, report, artifacts

    # -- looking ----------------------------------------------------------------------------------
    def screen(self) -> Any:
        return self.app.screens.current_screen

    def panel(self) -> Any:
        screen = self.screen()
        return screen.step_panel if screen is self.app.live_screen else screen.ids.panel

    def look(self, label: str) -> None:
        """Record what a person would read on the screen now."""
        app, root = self.app, self.app.root
        seen: dict[str, Any] = {
            "screen": app.screens.current,
            "prompt": root.ids.prompt.text,
            "toast": root.ids.toast.text,
            "status_banner": root.ids.status.banner,
            "status_pedal": root.ids.status.pedal,
            "status_probe": root.ids.status.probe,
            "status_operator": root.ids.status.operator,
            "patient": root.ids.patient.text if root.ids.patient.opacity > 0 else "",
            "screens_top": root.ids.screens.top,  # where the controls start: must not move with a toast
            "bands": [
                root.ids.status.height,
                root.ids.prompt.height,
                root.ids.toast.height,
                root.ids.patient.height,
            ],
        }
        # where the top prompt is drawn (the nav bar's band, the bar above the screen, the live screen's
        # own), and the nav bar: its fixed buttons, the tools shown, anything drawn over LAST
        target = app.prompt_target()
        seen["prompt_place"] = (
            ""
            if target is None
            else "nav"
            if root.ids.nav.prompt_up
            else ("live" if app.screens.current == "live" else "top")
        )
        seen["prompt_shown"] = "" if target is None else target.text
        # an acknowledged prompt's short form beside Alarms: its tap opens the list (acts on no prompt)
        seen["prompt_short"] = (
            target is not None and root.ids.nav.prompt_up and root.ids.nav.prompt_opens_list
        )
        seen["prompt_acts"] = target is not None and not target.disabled and not seen["prompt_short"]
        seen["nav"] = nav_layout(app)
        # where the screen (every control but the nav bar's) is laid out: the oracle for "a prompt coming
        # into the nav bar's band, or leaving it, moves nothing"
        seen["screen_rect"] = window_rect(root.ids.screens)
        if "panel" in self.screen().ids or self.screen() is app.live_screen:
            p = self.panel()
            seen["step_text"] = p.step_text
            seen["detail"] = p.detail
            seen["step_id"] = app.form.view().step_id
        if app.screens.current == "live":
            live = self.screen()
            seen.update(
                side=live.ids.side_banner.text, badge=live.ids.live_badge.text, caliper=live.caliper_text
            )
        from kivy.core.window import Window

        seen["texts"] = text_audit(Window)
        seen["forms"] = forms(app)
        self.report.see(label, **seen)

    def shot(self, name: str) -> None:
        self.app.save_screenshot(self.artifacts / f"{name}.png")

    def settle(self) -> Steps:
        """Until the redraw an action set off (the text trigger, at once after a core event) and its
        layouts have run: every text on screen where it was 3 frames before, the probe's rate, frame age
        and the clocks aside (driver.settled); on a screen that keeps moving (a step's body springing
        back after a new step), the 0.3 s this once always waited."""
        yield from settled(max_s=0.3)

    def toast_expired(self) -> Steps:
        """Until the newest message has lived its toast's seconds (bars.TOAST_S after it was said)."""
        s, clock = self.app.session, self.app.clock
        yield from wait(lambda: s.feedback is None or clock() - s.feedback.at >= TOAST_S, 5, "toast's life")

    def toast_gone(self) -> Steps:
        """Until the toast up now has lived its seconds and is off the screen."""
        yield from self.toast_expired()
        yield from wait(lambda: self.app.root.ids.toast.text == "", 5, "the toast gone")
        yield from self.settle()

    # -- doing ------------------------------------------------------------------------------------
    def press_step(self, key: str, expect_step: str | None = None) -> Steps:
        if expect_step is not None:
            yield from wait(lambda: self.app.form.view().step_id == expect_step, 5, f"step {expect_step}")
            yield from self.settle()
        before = self.app.session.version
        yield from touch(button_in(self.panel(), key))
        yield from wait(lambda: self.app.session.version != before, 3, f"{key} acted on")
        yield from self.settle()
        self.look(f"{expect_step or ''} {key}".strip())

    def press_strip(self, key: str, expect_step: str | None = None, acts: bool = True) -> Steps:
        """Touch a button of the live screen's fixed sterile strip."""
        live = self.app.live_screen
        if expect_step is not None:
            yield from wait(lambda: self.app.form.view().step_id == expect_step, 5, f"step {expect_step}")
            yield from self.settle()
        yield from wait(lambda: live.strip_button(key) is not None, 3, f"strip button {key}")
        before = self.app.session.version
        yield from touch(live.strip_button(key))
        if acts:
            yield from wait(lambda: self.app.session.version != before, 3, f"{key} acted on")
        yield from self.settle()
        self.look(f"strip {key}")

    def toggle_column(self) -> Steps:
        """The nav bar's Image/Step button on the live screen swaps the column beside the image."""
        yield from touch(self.app.root.ids.nav.ids.nav_scan)
        yield from self.settle()

    def pedal(self, pedal: str, hold: bool) -> Steps:
        """Press a pedal on the simulated board; wait until the app has acted on it."""
        n = self.app.pedal_actions.handled
        self.board.press(pedal)
        if hold:  # down until the board's hold (HOLD_MS after the press) has been acted on, as a foot
            yield from wait(lambda: self.app.pedal_actions.handled > n, 5, f"pedal {pedal} hold acted on")
        else:
            yield from pause(0.12)
        self.board.release(pedal)
        yield from wait(lambda: self.app.pedal_actions.handled > n, 5, f"pedal {pedal} acted on")
        yield from self.settle()
        self.look(f"pedal {pedal} {'hold' if hold else 'tap'} -> {self.app.pedal_actions.last_action}")

    def pedal_on_screen(self, pedal: str, hold: bool) -> Steps:
        """The on-screen Pedal A/B button presses the simulated board's pedal (down while touched)."""
        n = self.app.pedal_actions.handled
        yield from touch(self.app.root.ids.nav.ids[f"pedal_{pedal.lower()}"], hold_s=0.9 if hold else 0.1)
        yield from wait(lambda: self.app.pedal_actions.handled > n, 5, f"on-screen pedal {pedal} acted on")
        yield from self.settle()
        self.look(f"screen pedal {pedal} -> {self.app.pedal_actions.last_action}")

    def pedal_by_key(self, key: str, hold: bool) -> Steps:
        """A keyboard key held like a pedal (key repeat while held is one press)."""
        from kivy.core.window import Window

        n = self.app.pedal_actions.handled
        code = ord(key)
        Window.dispatch("on_key_down", code, 0, key, [])
        yield from pause(0.1)
        # held: the keyboard's auto-repeat (a key down every 0.1 s) until the hold has been acted on
        t0 = time.monotonic()
        while hold and self.app.pedal_actions.handled == n:
            if time.monotonic() - t0 > 5:
                raise TimeoutError(f"key {key} hold acted on")
            Window.dispatch("on_key_down", code, 0, key, [])
            yield from pause(0.1)
        Window.dispatch("on_key_up", code, 0)
        yield from wait(lambda: self.app.pedal_actions.handled > n, 5, f"key {key} acted on")
        yield from self.settle()
        self.look(f"key {key} -> {self.app.pedal_actions.last_action}")
