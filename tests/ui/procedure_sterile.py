"""The e2e's sterile part on the live screen: the prep step, the two-person STOP on the fixed strip
and the injection (pedals, freeze and calipers, stills, aliquots, finish), as the team does it. The
procedure around it is tests/ui/procedure_scenario.py."""

from __future__ import annotations

import time

from tests.ui.driver import Steps, button_in, pause, touch, wait
from tests.ui.layout import live_layout
from tests.ui.procedure_moves import Moves


class SterileMoves(Moves):
    """The team at the prep, the STOP and the injection: the e2e procedure's sterile phase."""

    def sterile(self) -> Steps:
        """Prep, the STOP and the injection on the live screen."""
        yield from self.prep()
        yield from self.stop()
        yield from self.injection()

    def prep(self) -> Steps:
        """The live screen at the prep step, and the Image/Step toggle."""
        app, r = self.app, self.report
        yield from wait(lambda: app.screens.current == "live", 5, "live screen")
        live = self.screen()
        self.look("live screen shown")
        yield from wait(lambda: live.live, 20, "live image")
        yield from self.settle()
        self.look("live: prep")
        r["layout_prep"] = live_layout(app)
        self.shot("05-live-prep")
        # Image -> Step: the step comes back whole (it once came back blank, the STOP out of reach).
        yield from self.toggle_column()
        r["column_image_panel"] = [c.__class__.__name__ for c in live.ids.flex.children]
        yield from self.toggle_column()
        panel = self.panel()
        r["column_after_toggle"] = {
            "children": [c.__class__.__name__ for c in live.ids.flex.children],
            "step_text": panel.step_text,
            "step_text_shown": panel.ids.step_text.opacity > 0 and panel.ids.step_text.height > 0,
            "panel_height": panel.height,
            "scroll_y": panel.ids.scroll.scroll_y,
        }

    def stop(self) -> Steps:
        """Prep done, then the STOP: each person states the side on the strip (one mis-tap restated)."""
        app, r = self.app, self.report
        live = self.screen()
        # Pedal B hold confirms "prep done" (no prompt waiting).
        yield from self.pedal("B", hold=True)
        # STOP: one person at a time states the side on the fixed strip; "next person" passes it on.
        # A mis-tap (dr_ana RIGHT) is restated by the same person: one answer each, journaled.
        yield from self.press_strip("stop:dr_ana:right", "stop_before_block")
        yield from self.settle()
        r["layout_stop"] = live_layout(app)
        self.look("live: stop")
        self.shot("05-live-stop")
        # Frozen with the prompt up: the freeze holds (the prompt keeps its place, the image its size)
        app.live_action("freeze")
        yield from pause(1.0)
        header = live.step_panel.ids.phase_title
        r["stop_frozen"] = {
            "frozen": live.frozen,
            "beside": live.prompt_beside,
            "texture": list(live.ids.image.texture.size),
            "header_top": header.to_window(header.x, header.top)[1],
        }
        app.live_action("freeze")
        yield from wait(lambda: live.live, 5, "live after the freeze at the STOP")
        yield from touch(app.prompt_target())  # its Override on the live screen (the nav bar's band here)
        yield from self.settle()
        r["override_from_live"] = app.screens.current
        app.go_procedure()
        yield from wait(lambda: app.screens.current == "live", 5, "back to the live screen")
        yield from self.settle()
        while app.live_screen.strip_button("stop:dr_ana:left") is None:  # round to dr_ana again
            yield from self.press_strip("stop_next", acts=False)
        yield from self.press_strip("stop:dr_ana:left")
        r["stop_marks"] = sorted(a.key for a in app.form.view().actions if a.selected)
        while app.live_screen.strip_button("stop:rn_ben:left") is None:
            yield from self.press_strip("stop_next", acts=False)
        yield from self.press_strip("stop:rn_ben:left")

    def injection(self) -> Steps:
        """The injection: freeze and calipers, stills, aliquots with and without aspiration, finish."""
        app, r = self.app, self.report
        live = self.screen()
        # Injection: B hold = negative aspiration, B tap = log an aliquot (4 mL), A hold = still.
        yield from wait(lambda: app.form.view().kind == "injection", 5, "injection step")
        yield from self.settle()
        r["layout_injection"] = live_layout(app)
        yield from self.pedal("A", hold=False)  # freeze
        r["frozen_badge"] = live.ids.live_badge.text
        # Calipers by touch on the frozen image: two points 100 px apart on screen, in window coordinates.
        from kivy.tests.common import UnitTestTouch

        x, y = live.ids.image.to_window(*live.ids.image.center)
        for px, py in ((x - 60, y), (x + 40, y)):
            t = UnitTestTouch(px, py)
            t.touch_down()
            t.touch_up()
            yield
        yield from self.settle()
        shown = app.live_vm.displayed()
        tex_w = live.ids.image.texture.size[0]
        scale = tex_w / live.ids.image.norm_image_size[0]  # image px per screen px (1 when drawn 1:1)
        r["caliper_expected_mm"] = 100 * scale * shown[1].mm_per_px if shown else None
        r["caliper_text"] = live.caliper_text
        self.shot("06-live-frozen-calipers")
        yield from self.pedal_on_screen("A", hold=False)  # unfreeze, by the on-screen pedal button
        yield from wait(lambda: live.live, 5, "live after unfreeze")
        yield from self.pedal_by_key("a", hold=True)  # capture still, by holding key A
        # An aliquot logged before aspirating was still given: recorded, flagged by a MEDIUM prompt.
        yield from self.pedal("B", hold=False)  # log aliquot (no aspiration first)
        yield from wait(lambda: app.session.highest_prompt() is not None, 3, "a prompt")
        raised = time.monotonic()
        yield from pause(0.6)
        r["light_with_prompt"] = app.pedal.status().indicator if app.pedal else None
        self.look("prompt raised")
        r["layout_prompt"] = live_layout(app)
        self.shot("07-live-prompt")
        # read it for a second (the reading time an acknowledgement needs), then B hold acknowledges it
        yield from pause(1.0 - (time.monotonic() - raised))
        yield from self.pedal("B", hold=True)
        # The pause between aliquots ends with a LOW prompt: B hold acknowledges it, the next aspirates.
        yield from wait(lambda: "Pause over" in app.root.ids.prompt.text, 5, "pause-over prompt")
        yield from pause(1.1)
        r["layout_prompt_short"] = live_layout(app)  # a short prompt (one line across the image)
        self.shot("07-live-prompt-short")
        yield from self.pedal("B", hold=True)
        yield from self.pedal("B", hold=True)
        yield from self.pedal("B", hold=False)  # second aliquot
        eng = app.session.engine
        yield from wait(lambda: eng is not None and len(eng.state.aliquots) == 2, 3, "second aliquot")
        r["aliquots_visible"] = self.panel().detail
        yield from self.toggle_column()  # a second still, by touch on the imaging controls
        yield from touch(button_in(live.image_panel_box.ids.image_actions, "capture_still"))
        yield from self.settle()
        self.look("still by touch")
        yield from self.toggle_column()
        # Finish asks once more on the strip: the first tap arms it, the second finishes.
        yield from self.press_strip("finish", "inject", acts=False)
        r["finish_armed_label"] = live.strip_button("finish").text
        r["step_after_one_finish_tap"] = app.form.view().step_id
        yield from self.press_strip("finish")
