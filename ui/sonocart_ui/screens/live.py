"""Live imaging screen: the image as large as the screen allows, rendered at the stage's pixel size, with
nothing drawn over it; the LIVE/FROZEN badge, the side and the pedals in a band above it, depth numbers
beside it, the step and (during STOP and the injection) a fixed strip of large buttons in the column beside
it. The top prompt sits in that column when its whole text fits there, else in a band across the image.
NO SIGNAL is the one thing drawn on the image: a stale image must say so."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from sonocart.cart.live import LiveImaging, LiveView
from sonocart.imaging.gpu_params import GpuFrame
from sonocart.imaging.scanconvert import Calibration
from sonocart_ui import sector_shader
from sonocart_ui import theme as th
from sonocart_ui.column import ColumnPages
from sonocart_ui.screens.live_prompt import PromptPlacement
from sonocart_ui.viewmodels.live import (
    NEXT_SPEAKER,
    Strip,
    caliper_text,
    depth_marks,
    image_actions,
    sterile_strip,
)
from sonocart_ui.viewmodels.step_form import Action
from sonocart_ui.widgets import to_top

#: Largest image we scan-convert (the 10-inch screen); the stage is never larger on the cart's screens.
MAX_IMAGE_PX = (1280, 800)
#: A first tap on "Finish injection" arms it for this long; the second tap finishes.
FINISH_CONFIRM_S = 5.0


class LiveStepPanel(BoxLayout):  # type: ignore[misc]
    """The step in the column: text, detail (with the needle readout) and the step's other buttons."""


class LiveImagePanel(BoxLayout):  # type: ignore[misc]
    """The imaging controls in the column, with the imaging settings and the current step's title."""

    step_title = StringProperty("")
    info = StringProperty("")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LiveScreen(PromptPlacement, Screen):  # type: ignore[misc]
    live = BooleanProperty(False)
    frozen = BooleanProperty(False)
    no_signal_reason = StringProperty("waiting for the probe")
    fps_text = StringProperty("")
    side_text = StringProperty("")
    pedal_text = StringProperty("")
    pedal_ok = BooleanProperty(True)
    step_title = StringProperty("")
    caliper_text = StringProperty("")
    caliper_points = ListProperty([])
    prompt_text = StringProperty("")
    prompt_action = StringProperty("")
    prompt_colour = ListProperty([0.11, 0.12, 0.14, 1])
    #: What the prompt button reads: the prompt and what a tap does.
    prompt_shown = StringProperty("")
    #: The prompt sits in the column beside the image (its whole text fits there), not across the image.
    prompt_beside = BooleanProperty(False)
    #: Its height there: all the column's room under the step's header (no sliver of the body is left).
    beside_height = NumericProperty(0)
    #: Why the step is held, across the image when the column cannot hold it whole ("" otherwise).
    held_across = StringProperty("")
    held_colour = ListProperty(list(th.ALARM_HIGH))
    toast_text = StringProperty("")
    toast_colour = ListProperty(list(th.TEXT))
    needle_on = BooleanProperty(False)
    #: the GPU scan conversion (None: not tried yet, or this GL cannot run it: the CPU path runs)
    _sector: sector_shader.SectorImage | None = None
    _sector_tried = False
    _cpu_texture: Texture | None = None  # the CPU path's image (self._texture: the one on screen)
    _cover: Rectangle | None = None  # the shown texture again, on whole window pixels
    #: live frames the GPU scan-converted (the rest came as images from the CPU path)
    sector_frames = 0

    def __init__(self, view_model: LiveImaging, **kwargs: object) -> None:
        self.vm = view_model  # before Screen.__init__: the kv rules (on_kv_post) use it
        self._texture: Texture | None = None
        self._marks_key: tuple[Calibration, float] | None = None
        self._strip_shown: tuple[Action, ...] = ()
        self._speaker = 0
        self._finish_armed_at: float | None = None
        self.textures_updated = 0
        self.step_panel_box = LiveStepPanel()
        self.image_panel_box = LiveImagePanel()
        self._place_trigger = Clock.create_trigger(lambda _dt: self.place_prompt())
        self._placed_text = ""
        super().__init__(**kwargs)

    def on_kv_post(self, _base: object) -> None:
        app = App.get_running_app()
        self.column_pages = ColumnPages(self.step_panel)  # its body: pages of whole items
        self.step_panel.ids.actions.on_action = app.step_action
        self.image_panel_box.ids.image_actions.on_action = self._image_action
        self.image_panel_box.ids.image_actions.show(image_actions(self.vm))
        app.bind(image_panel=lambda *_: self._swap_panel())
        self._swap_panel()
        ids = self.ids
        for w in (ids.column, ids.strip, ids.caliper, ids.cine):
            w.bind(size=self._place_trigger)
        ids.prompt_beside.bind(texture_size=self._place_trigger)
        self.step_panel.ids.phase_title.bind(height=self._place_trigger)
        self.step_panel.ids.foot.bind(height=self._place_trigger)
        self.step_panel.bind(held=self._place_trigger, held_colour=self._place_trigger)

    def on_toast_text(self, *_: object) -> None:
        self.step_panel.toast = self.toast_text  # first in the step's body, under its fixed header

    def on_toast_colour(self, *_: object) -> None:
        self.step_panel.toast_colour = self.toast_colour

    def _swap_panel(self) -> None:
        """Put the step or the imaging controls in the column (re-added whole: never left blank)."""
        flex = self.ids.flex
        want = self.image_panel_box if App.get_running_app().image_panel else self.step_panel_box
        if want in flex.children:  # (ids are weak proxies: `parent is flex` is never true)
            return
        flex.clear_widgets()
        flex.add_widget(want)
        to_top(self.step_panel.ids.scroll)  # back at the step's top, at rest: no spring back to where it was
        self._place_trigger()

    # -- the image --------------------------------------------------------------------------------
    def fit_stage(self) -> None:
        """Size the imaging chain's output to the stage (before the core renders the next frame)."""
        stage = self.ids.stage
        w = max(64, min(int(stage.width), MAX_IMAGE_PX[0])) // 4 * 4
        h = max(64, min(int(stage.height), MAX_IMAGE_PX[1]))
        self.vm.resize(w, h)
        if not self._sector_tried:
            self._attach_sector()

    @property
    def sector(self) -> sector_shader.SectorImage | None:
        """The GPU scan conversion drawing live frames, or None (the CPU path draws them all)."""
        return self._sector

    def _attach_sector(self) -> None:
        """Once, with the window's GL up: the shader's render target before the image's own drawing
        (the image then shows its texture), and the core told to hand over lines."""
        self._sector_tried = True
        shader = sector_shader.build()
        self.vm.gpu_wanted = shader is not None
        if shader is not None:
            self._sector = sector_shader.SectorImage(shader)
            self.ids.image.canvas.before.add(self._sector.group)

    def refresh(self, view: LiveView | None) -> None:
        """Called every display tick with what the core rendered: show a new frame, and its liveness."""
        if view is None:
            return
        if view.image is not None:
            self._show(view.image)
        elif view.gpu is not None:
            self._show_gpu(view.gpu)
        depth = self.vm.shown_depth_mm  # the depth of the image on screen (not one merely asked for)
        cal = view.calibration
        if cal is not None and depth is not None and (cal, depth) != self._marks_key:
            self._depth_numbers(cal, depth)
        self.live = view.liveness.live and not view.frozen
        self.frozen = view.frozen
        self.no_signal_reason = view.liveness.reason

    def _show(self, image: np.ndarray) -> None:
        h, w = image.shape
        tex = self._cpu_texture
        if tex is None or tex.size != (w, h):
            tex = self._cpu_texture = Texture.create(size=(w, h), colorfmt="luminance", bufferfmt="ubyte")
            tex.flip_vertical()  # row 0 of the image is the top of the screen
            # The pipeline already interpolated at screen resolution and the texture is drawn 1:1:
            # nearest sampling loses nothing and keeps software GL (Xvfb) above 25 fps.
            tex.mag_filter = "nearest"
            tex.min_filter = "nearest"
        tex.blit_buffer(image.reshape(-1), colorfmt="luminance", bufferfmt="ubyte")  # type: ignore[arg-type]
        self._show_texture(tex)  # (a new texture after GPU frames: needle enhancement, frozen review)
        self.textures_updated += 1

    def _show_gpu(self, frame: GpuFrame) -> None:
        """A live frame the GPU scan-converts: its lines uploaded (the marks too when they changed) and
        rendered into a texture the image shows 1:1, as it shows the CPU path's image."""
        sector = self._sector
        if sector is None:
            return
        self._show_texture(sector.draw(frame))
        self.textures_updated += 1
        self.sector_frames += 1

    def _show_texture(self, tex: Texture) -> None:
        """Show ``tex`` 1:1 on whole window pixels.

        The image widget centres its texture, so it may sit half a pixel off the pixel grid, where
        nearest sampling repeats some columns (or rows) and drops others (5 % of the pixels on the
        1280 × 800 screen). The image keeps the texture (its size places the image and maps caliper
        touches); a copy of its quad, snapped to the same pixels, covers it, dimmed with it."""
        img = self.ids.image
        if img.texture is not tex:
            self._texture = tex
            img.texture = tex
        cover = self._cover
        if cover is None:
            colour = Color(*img.color)
            cover = self._cover = Rectangle()
            img.canvas.after.add(colour)
            img.canvas.after.add(cover)
            img.bind(color=lambda _w, rgba: setattr(colour, "rgba", rgba))
            img.bind(pos=lambda *_: self._place_cover(), size=lambda *_: self._place_cover())
        cover.texture = tex
        self._place_cover()
        img.canvas.ask_update()

    def _place_cover(self) -> None:
        """Over the pixels the image's own quad covers: from ceil(x0 − ½) (a pixel shows the texel under
        its centre), so it also follows the image when the layout moves it without a new frame."""
        img, cover, tex = self.ids.image, self._cover, self._texture
        if cover is None or tex is None:
            return
        w, h = tex.size
        x, y = img.center_x - w / 2, img.center_y - h / 2
        wx, wy = img.to_window(x, y)
        cover.pos = (x + math.ceil(wx - 0.5) - wx, y + math.ceil(wy - 0.5) - wy)
        cover.size = (w, h)

    def _depth_numbers(self, cal: Calibration, depth_mm: float) -> None:
        """Centimetre numbers beside the image's ticks: rebuilt only when the calibration changes."""
        self._marks_key = (cal, depth_mm)
        band, img = self.ids.depth_band, self.ids.image
        band.clear_widgets()
        top = img.center_y + cal.height_px / 2  # drawn 1:1, centred in the stage (same y as the band)
        theme = App.get_running_app().theme
        row = theme.font_small * 1.2
        unit = Label(text="cm", size_hint=(None, None), color=th.TEXT_DIM)
        unit.size = (band.width, row)
        unit.pos = (0, 0)
        below = math.inf  # the bottom of the number placed last (they go down the image)
        for v, text in depth_marks(cal, depth_mm):
            y = top - v
            if text == "0" or y - row / 2 < unit.top:
                continue  # the skin line is the band's top; a number never sits on the unit
            lab = Label(text=text, size_hint=(None, None), bold=True, color=th.TEXT)
            lab.size = (band.width, row)
            lab.pos = (0, min(band.height - lab.height, y - lab.height / 2))
            if lab.top > below:
                continue  # a short image (bands above it): every other number, never one on another
            below = lab.y
            band.add_widget(lab)
        band.add_widget(unit)

    # -- text, the column and the strip -----------------------------------------------------------
    def refresh_text(self, fps: float) -> None:
        """The slower refresh (4 Hz or on change): numbers, the step and the strip."""
        app = App.get_running_app()
        self.fps_text = f"{fps:.0f} fps"
        self.side_text = app.side_banner()
        self._show_caliper()
        if not self.vm.calipers:
            self.caliper_points = []
        self.needle_on = self.vm.needle_enhance
        needle = self.vm.needle_line()
        self.image_panel_box.info = "\n".join(x for x in (needle, self.vm.settings_line()) if x)
        view = app.form.view()
        self.step_title = view.text
        self.image_panel_box.step_title = view.text
        if self._finish_armed_at is not None and app.clock() - self._finish_armed_at > FINISH_CONFIRM_S:
            self._finish_armed_at = None
        strip = sterile_strip(view, self._speaker, self._finish_armed_at is not None, app.form.name)
        self._show_strip(strip)
        detail = "\n".join(x for x in (view.detail, needle) if x)
        actions = view.actions if strip is None else strip.rest
        self.step_panel.show(replace(view, detail=detail, actions=actions))
        self.image_panel_box.ids.image_actions.show(image_actions(self.vm))

    def _show_strip(self, strip: Strip | None) -> None:
        actions = () if strip is None else strip.actions
        if actions == self._strip_shown:
            return
        self._strip_shown = actions
        box = self.ids.strip
        box.clear_widgets()
        for a in actions:
            b = Factory.SterileButton(
                text=a.label,
                key=a.key,
                primary=a.primary and a.key != "aspirate:positive",
                selected=a.selected,
                danger=a.key == "aspirate:positive",
            )
            b.bind(on_release=lambda btn: self.strip_action(btn.key))
            box.add_widget(b)

    def strip_button(self, key: str) -> Any:
        return next((b for b in self.ids.strip.children if b.key == key), None)

    def strip_action(self, key: str) -> None:
        app = App.get_running_app()
        if key == NEXT_SPEAKER:
            self._speaker += 1
        elif key == "finish" and self._finish_armed_at is None:
            self._finish_armed_at = app.clock()  # asks once more: finishing cannot be undone
        else:
            self._finish_armed_at = None
            self._speaker = 0
            app.step_action(key)
        self.refresh_text(app.probe.status().fps)

    def _image_action(self, key: str) -> None:
        app = App.get_running_app()
        if key in ("freeze", "capture_still", "capture_clip", "needle"):
            app.live_action(key)
        else:
            app.cart.imaging_press(key)
        self.image_panel_box.ids.image_actions.show(image_actions(self.vm))

    # -- calipers ---------------------------------------------------------------------------------
    def on_stage_touch(self, touch: Any) -> bool:
        """A touch on the frozen image places a caliper point (image pixels, row 0 at the top).

        Worked in window coordinates: the stage and the screen are relative layouts, so the touch, the
        image and the drawing each have their own origin.
        """
        img, stage = self.ids.image, self.ids.stage
        if not self.frozen or self._texture is None:
            return False
        wx, wy = stage.parent.to_window(*touch.pos)
        sx, sy = stage.to_window(0, 0)
        nw, nh = img.norm_image_size
        left, top = img.center_x - nw / 2, img.center_y + nh / 2  # stage coordinates
        tw, th_ = self._texture.size
        u = (wx - sx - left) * tw / max(1.0, nw)
        v = (top - (wy - sy)) * th_ / max(1.0, nh)
        if not (0 <= u < tw and 0 <= v < th_):
            return False
        self.vm.add_caliper(u, v)
        pts: list[float] = []
        for cu, cv in self.vm.calipers:
            pts += [left + cu * nw / tw, top - cv * nh / th_]
        self.caliper_points = pts
        self._show_caliper()
        return True

    def _show_caliper(self) -> None:
        """The core's caliper distance as the readout shows it (viewmodels/live.caliper_text)."""
        self.caliper_text = caliper_text(self.vm.caliper_mm())

    def clear_calipers(self) -> None:
        self.caliper_points = []
        self.caliper_text = ""
