"""The cart app: receives its core objects by injection and redraws from them on the Kivy clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import ScreenManager

from sonocart.devices.probe import ProbeClient
from sonocart_ui.screens.live import LiveScreen
from sonocart_ui.viewmodels.live import LiveViewModel

DISPLAY_HZ = 60.0


class CartApp(App):  # type: ignore[misc]
    title = "Sonocart"

    def __init__(
        self,
        *,
        probe: ProbeClient,
        clock: Callable[[], float],
        screenshot: Path | None = None,
        screenshot_every_s: float = 3.0,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.probe = probe
        self.clock = clock
        self.screenshot_path = screenshot
        self.screenshot_every_s = screenshot_every_s
        self.live_screen: LiveScreen | None = None

    def build(self) -> ScreenManager:
        Window.clearcolor = (0, 0, 0, 1)
        self.live_screen = LiveScreen(LiveViewModel(self.probe, self.clock, 800, 600))
        sm = ScreenManager()
        sm.add_widget(self.live_screen)
        Clock.schedule_interval(self._tick, 1.0 / DISPLAY_HZ)
        if self.screenshot_path is not None:
            Clock.schedule_interval(
                lambda _dt: self.save_screenshot(self.screenshot_path), self.screenshot_every_s
            )
        return sm

    def _tick(self, _dt: float) -> None:
        if self.live_screen is not None:
            self.live_screen.refresh()

    def save_screenshot(self, path: Path | None) -> Path | None:
        """Write the window to ``path`` atomically (a reader never sees half a PNG)."""
        if path is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp.png")
        written = Window.screenshot(name=str(tmp))
        if written:
            os.replace(written, path)
        return path

    def on_stop(self) -> None:
        self.probe.stop()
