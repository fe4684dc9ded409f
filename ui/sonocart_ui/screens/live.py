"""Live imaging screen: the newest frame, an unmistakable NO SIGNAL state, the device status line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.live import LiveViewModel, status_line

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

#: Largest image we scan-convert; the widget scales it to fit the screen.
MAX_IMAGE_PX = (1024, 768)
TEXT_REFRESH_S = 0.25


class LiveScreen(Screen):  # type: ignore[misc]
    live = BooleanProperty(False)
    no_signal_reason = StringProperty("waiting for the probe")
    status_text = StringProperty("")
    fps_text = StringProperty("")

    def __init__(self, view_model: LiveViewModel, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.vm = view_model
        self._texture: Texture | None = None
        self.textures_updated = 0
        self._text_updated_at = float("-inf")

    def refresh(self) -> None:
        """Called every display tick by the app: show a new frame if one came, and judge liveness."""
        stage = self.ids.stage
        w = max(64, min(int(stage.width), MAX_IMAGE_PX[0])) // 4 * 4
        h = max(64, min(int(stage.height), MAX_IMAGE_PX[1]))
        self.vm.resize(w, h)
        view = self.vm.poll()
        if view.image is not None:
            self._show(view.image)
        self.live = view.liveness.live
        self.no_signal_reason = view.liveness.reason
        now = self.vm.clock()
        if now - self._text_updated_at >= TEXT_REFRESH_S:
            # Text re-rendering is costly; numbers that change every frame are shown at 4 Hz.
            self._text_updated_at = now
            self.fps_text = f"{view.status.fps:.0f} fps"
            self.status_text = status_line(view.status, view.liveness)

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
