"""Live imaging screen: the image as large as possible with the confirmed side on it, NO SIGNAL / FROZEN
states, freeze + cine, captures, calipers, imaging controls, and the current step beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from kivy.app import App
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from sonocart.cart.live import LiveImaging, LiveView
from sonocart_ui.viewmodels.live import image_actions

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

#: Largest image we scan-convert; the widget scales it to fit the screen.
MAX_IMAGE_PX = (1024, 768)


class LiveScreen(Screen):  # type: ignore[misc]
    live = BooleanProperty(False)
    frozen = BooleanProperty(False)
    no_signal_reason = StringProperty("waiting for the probe")
    fps_text = StringProperty("")
    side_text = StringProperty("")
    step_title = StringProperty("")
    settings_text = StringProperty("")
    caliper_text = StringProperty("")
    caliper_points = ListProperty([])
    show_image_panel = BooleanProperty(False)
    needle_on = BooleanProperty(False)

    def __init__(self, view_model: LiveImaging, **kwargs: object) -> None:
        self.vm = view_model  # before Screen.__init__: the kv rules (on_kv_post) use it
        self._texture: Texture | None = None
        self.textures_updated = 0
        super().__init__(**kwargs)

    def on_kv_post(self, _base: object) -> None:
        app = App.get_running_app()
        self.ids.panel.ids.actions.on_action = app.step_action
        self.ids.image_actions.on_action = self._image_action
        self.ids.image_actions.show(image_actions(self.vm))

    def fit_stage(self) -> None:
        """Size the imaging chain's output to the stage (before the core renders the next frame)."""
        stage = self.ids.stage
        w = max(64, min(int(stage.width), MAX_IMAGE_PX[0])) // 4 * 4
        h = max(64, min(int(stage.height), MAX_IMAGE_PX[1]))
        self.vm.resize(w, h)

    def refresh(self, view: LiveView | None) -> None:
        """Called every display tick with what the core rendered: show a new frame, and its liveness."""
        if view is None:
            return
        if view.image is not None:
            self._show(view.image)
        self.live = view.liveness.live and not view.frozen
        self.frozen = view.frozen
        self.no_signal_reason = view.liveness.reason

    def refresh_text(self, fps: float) -> None:
        """The slower refresh (4 Hz or on change): numbers and the step panel."""
        app = App.get_running_app()
        self.fps_text = f"{fps:.0f} fps"
        self.side_text = app.side_banner()
        self.settings_text = " · ".join(x for x in (self.vm.settings_line(), self.vm.needle_line()) if x)
        mm = self.vm.caliper_mm()
        self.caliper_text = "" if mm is None else f"caliper {mm:.1f} mm"
        if not self.vm.calipers:
            self.caliper_points = []
        self.needle_on = self.vm.needle_enhance
        view = app.form.view()
        self.step_title = view.text
        self.ids.panel.show(view)

    def _image_action(self, key: str) -> None:
        App.get_running_app().cart.imaging_press(key)
        self.settings_text = self.vm.settings_line()
        if key == "persistence":  # its button names the level now in force
            self.ids.image_actions.show(image_actions(self.vm))

    def on_stage_touch(self, touch: Any) -> bool:
        """A touch on the frozen image places a caliper point (image pixels, row 0 at the top).

        Worked in window coordinates: the stage and the screen are relative layouts, so the touch, the
        image and the drawing each have their own origin. The cine scrubber keeps its own touches.
        """
        img, stage, cine = self.ids.image, self.ids.stage, self.ids.cine
        if not self.frozen or self._texture is None:
            return False
        wx, wy = stage.parent.to_window(*touch.pos)
        sx, sy = stage.to_window(0, 0)
        if cine.collide_point(wx - sx, wy - sy):
            return False
        nw, nh = img.norm_image_size
        left, top = img.center_x - nw / 2, img.center_y + nh / 2  # stage coordinates
        tw, th = self._texture.size
        u = (wx - sx - left) * tw / max(1.0, nw)
        v = (top - (wy - sy)) * th / max(1.0, nh)
        if not (0 <= u < tw and 0 <= v < th):
            return False
        self.vm.add_caliper(u, v)
        pts: list[float] = []
        for cu, cv in self.vm.calipers:
            pts += [left + cu * nw / tw, top - cv * nh / th]
        self.caliper_points = pts
        mm = self.vm.caliper_mm()
        self.caliper_text = "" if mm is None else f"caliper {mm:.1f} mm"
        return True

    def _show(self, image: np.ndarray) -> None:
        h, w = image.shape
        tex = self._texture
        if tex is None or tex.size != (w, h):
            tex = Texture.create(size=(w, h), colorfmt="luminance", bufferfmt="ubyte")
            tex.flip_vertical()  # row 0 of the image is the top of the screen
            # The pipeline already interpolated at screen resolution and the texture is drawn 1:1:
            # nearest sampling loses nothing and keeps software GL (Xvfb) above 25 fps.
            tex.mag_filter = "nearest"
            tex.min_filter = "nearest"
            self._texture = tex
            self.ids.image.texture = tex
        tex.blit_buffer(image.reshape(-1), colorfmt="luminance", bufferfmt="ubyte")  # type: ignore[arg-type]
        self.ids.image.canvas.ask_update()
        self.textures_updated += 1

    def clear_calipers(self) -> None:
        self.caliper_points = []
        self.caliper_text = ""
