"""The cart app: a view over the headless core (:class:`sonocart.cart.cart.Cart`), injected ready-made.

It renders the core's state and sends user intents; it holds no policy (which pedal does what, when the
light changes or the screen locks: all in the core). One display tick pumps the core and shows the image
at display rate; text redraws come from the core's events, coalesced with ``Clock.create_trigger``. This
module is the navigation and the core's events; the bars around the screens (the top prompt, the status
bar, the toast, the IEC flash) are ``bars.FrameBars``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen

from sonocart.cart.cart import Cart
from sonocart.cart.events import (
    CartEvent,
    Feedback,
    ImagingChanged,
    LivenessChanged,
    LockChanged,
    PacsFinished,
    PromptsChanged,
)
from sonocart.devices.pedal_events import PedalStatus
from sonocart_ui import theme as th
from sonocart_ui import widgets  # noqa: F401  (registers the shared widgets and kv rules)
from sonocart_ui.bars import TOAST_S, FrameBars
from sonocart_ui.screens.alarms import AlarmsScreen
from sonocart_ui.screens.first_start import FirstStartScreen
from sonocart_ui.screens.last import LastScreen
from sonocart_ui.screens.live import LiveScreen
from sonocart_ui.screens.lock import LockScreen
from sonocart_ui.screens.observation import ObservationScreen
from sonocart_ui.screens.settings import SettingsScreen
from sonocart_ui.screens.sign_in import SignInScreen
from sonocart_ui.screens.sign_out import SignOutScreen
from sonocart_ui.screens.start import StartScreen
from sonocart_ui.screens.summary import SummaryScreen
from sonocart_ui.screens.time_out import TimeOutScreen
from sonocart_ui.viewmodels.first_start import FirstStartForm
from sonocart_ui.viewmodels.last import LastViewModel
from sonocart_ui.viewmodels.lock import LockKeypad
from sonocart_ui.viewmodels.navigation import screen_for
from sonocart_ui.viewmodels.settings import SettingsForm
from sonocart_ui.viewmodels.start import StartForm
from sonocart_ui.viewmodels.step_form import StepForm

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

DISPLAY_HZ = 60.0
PEDAL_KEYS = {"a": "A", "b": "B", "f1": "A", "f2": "B"}
#: Core events after which the screen's text may differ (the image has its own refresh).
_TEXT_EVENTS = frozenset(
    {
        "record_opened",
        "record_closed",
        "committed",
        "prompts",
        "feedback",
        "lock",
        "device",
        "timers",
        "imaging",
        "liveness",
        "light",
        "pedal",
        "pedals_lost",
        "capture",
        "pacs",
        "fault",
    }
)


class CartApp(FrameBars, App):  # type: ignore[misc]
    title = "Sonocart"
    text_focused = BooleanProperty(False)
    #: The live screen is shown: the window's status and prompt bars give way to the image.
    immersive = BooleanProperty(False)
    #: The live screen's column shows the imaging controls instead of the step.
    image_panel = BooleanProperty(False)
    #: Who the open record is for (the core's patient banner), shown on every screen; "" with none open.
    patient_text = StringProperty("")

    def __init__(
        self,
        *,
        cart: Cart,
        pedal_remote: Callable[[str], str] | None = None,
        screenshot: Path | None = None,
        screenshot_every_s: float = 3.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cart = cart
        self.session = cart.session
        self.probe = cart.probe
        self.pedal = cart.pedal
        self.clock = cart.clock.monotonic
        self.live_vm = cart.live
        self.pedal_actions = cart.pedal_actions
        self.pedal_remote = pedal_remote
        self.screenshot_path = screenshot
        self.screenshot_every_s = screenshot_every_s
        self.theme = th.Theme.for_window(*Window.size)
        self.form = StepForm(self.session)
        self.lock = LockKeypad(cart.lock)
        self.live_screen: LiveScreen | None = None
        self._phase_screen = ""
        self._before_lock = ""
        self._keys_down: dict[int, str] = {}
        self._flashing = False
        self._technician_board = "pedal board: none"  # the Settings screen's line (see _technician_line)
        self._redraw = Clock.create_trigger(self._redraw_text)
        self._clear_toast = Clock.create_trigger(lambda _dt: self._toast_expired(), TOAST_S + 0.05)
        cart.subscribe(self._on_cart_event)

    @property
    def pedal_status(self) -> PedalStatus | None:
        return None if self.pedal is None else self.pedal.status()

    # -- building ---------------------------------------------------------------------------------
    def build(self) -> Any:
        Window.clearcolor = th.BG
        root = Factory.CartRoot()
        sm = root.ids.screens
        sm.transition = NoTransition()
        self.live_screen = LiveScreen(self.live_vm)
        for screen in (
            StartScreen(StartForm(self.session), name="start"),
            FirstStartScreen(FirstStartForm(self.session)),
            SignInScreen(),
            TimeOutScreen(),
            self.live_screen,
            SignOutScreen(),
            ObservationScreen(),
            SummaryScreen(),
            SettingsScreen(SettingsForm(self.session)),
            AlarmsScreen(),
            LastScreen(LastViewModel(self.session)),
            LockScreen(),
        ):
            sm.add_widget(screen)
        root.ids.nav.simulated = self.pedal_remote is not None
        # whether the top prompt fits the nav bar's band depends on the band's width: placed again once
        # it is laid out (a prompt up at start, as after a resume, is not left in its fallback place)
        root.ids.nav.ids.rest.bind(width=lambda *_: self._redraw())
        Window.bind(on_touch_down=self._activity, on_key_down=self._key_down, on_key_up=self._key_up)
        Clock.schedule_interval(self._tick, 1.0 / DISPLAY_HZ)
        if self.screenshot_path is not None:
            Clock.schedule_interval(
                lambda _dt: self.save_screenshot(self.screenshot_path), self.screenshot_every_s
            )
        Clock.schedule_once(lambda _dt: self.go_procedure(), 0)
        return root

    # -- navigation -------------------------------------------------------------------------------
    @property
    def screens(self) -> Any:
        return self.root.ids.screens

    def current(self) -> Screen:
        return self.screens.current_screen

    def show(self, name: str) -> None:
        if not self.cart.lock.screen_allowed(name):  # locked: the keypad and LAST only (core policy)
            name = "lock"
        self.screens.current = name
        self.cart.image_wanted = name == "live"
        self.immersive = name == "live"
        self._refresh_screen()
        self._report_shown()

    def go_procedure(self) -> None:
        """Back to the screen of the procedure's current phase (start when none is open)."""
        self._phase_screen = screen_for(self.session)
        self.show(self._phase_screen)

    def scan_pressed(self) -> None:
        """The nav bar's Scan button: to the live screen; on it, swap its column (step <-> imaging)."""
        if self.immersive:
            self.image_panel = not self.image_panel
        else:
            self.show("live")

    def lock_now(self) -> None:
        if self.cart.lock_now():
            self.show("lock")

    def after_unlock(self, highs: tuple[str, ...]) -> None:
        """Back where the cart was; the alarm list instead while any HIGH prompt is active."""
        self.show("alarms" if highs else self._before_lock or screen_for(self.session))

    # -- actions from widgets (intents to the core) -----------------------------------------------
    def step_action(self, key: str) -> None:
        self.cart.touched()
        self.form.press(key)
        self._redraw()  # a selection on the form changes the view even when the core did not

    def acknowledge_top(self) -> None:
        """The bar's button acts on the prompt the bar shows; a hard stop opens the list (override)."""
        top = self.session.highest_prompt()
        if top is None:
            return
        if top.blocking:
            self.show("alarms")
        else:
            self.cart.acknowledge(top.id)

    def live_action(self, action: str) -> None:
        if action == "freeze":
            self.cart.freeze()
            if self.live_screen is not None:
                self.live_screen.clear_calipers()
        elif action == "capture_still":
            self.cart.capture_still("touch")
        elif action == "capture_clip":
            self.cart.capture_clip("touch")
        elif action == "needle":
            self.cart.toggle_needle()

    # -- simulated pedals (keyboard and on-screen) ------------------------------------------------
    def sim_pedal(self, pedal: str, down: bool) -> str:
        if self.pedal_remote is None:
            return "error no simulated board"
        return self.pedal_remote(f"{'press' if down else 'release'} {pedal}")

    def _key_down(self, _win: object, key: int, _scancode: int, codepoint: str | None, *_: object) -> bool:
        """Keys A/B (F1/F2 even while typing) press the simulated board's pedals; held keys hold them."""
        name = (codepoint or "").lower() or _KEYNAMES.get(key, "")
        pedal = PEDAL_KEYS.get(name)
        if pedal is None or self.pedal_remote is None or (self.text_focused and len(name) == 1):
            return False
        if key not in self._keys_down:  # key repeat: one press
            self._keys_down[key] = pedal
            self.sim_pedal(pedal, True)
        return True

    def _key_up(self, _win: object, key: int, *_: object) -> bool:
        pedal = self._keys_down.pop(key, None)
        if pedal is None:
            return False
        self.sim_pedal(pedal, False)
        return True

    # -- the display tick and the core's events ---------------------------------------------------
    def _tick(self, _dt: float) -> None:
        """Pump the core (pedals, timers, light, lock) and show a new image if one was rendered."""
        live = self.live_screen is not None and self.screens.current == "live"
        if live and self.live_screen is not None:
            self.live_screen.fit_stage()
        self.cart.pump()
        if live and self.live_screen is not None:
            self.live_screen.refresh(self.cart.view)
            self._probe_line()

    def _on_cart_event(self, event: CartEvent) -> None:
        if isinstance(event, LockChanged) and event.locked:
            self._before_lock = self.screens.current
            self.lock.reset()
            self.show("lock")
        elif isinstance(event, LockChanged) and self.screens.current == "lock":
            self.after_unlock(event.highs)
        if isinstance(event, PromptsChanged):
            self._set_flashing(event.priority in ("HIGH", "MEDIUM"))
        if isinstance(event, Feedback):
            # re-armed: the toast goes TOAST_S after the newest message (a Kivy trigger already pending is
            # not moved by calling it again: without the cancel a toast said 2 s after another stayed up)
            self._clear_toast.cancel()
            self._clear_toast()
        if isinstance(event, PacsFinished):
            summary = self.screens.get_screen("summary")
            summary.pacs_finished(event.text, event.ok)
        if isinstance(event, ImagingChanged | LivenessChanged) and self.live_screen is not None:
            self.live_screen.refresh(self.cart.view)
        if event.kind in _TEXT_EVENTS:
            self._redraw()

    def _redraw_text(self, _dt: float = 0) -> None:
        """Everything but the image, once per burst of core events."""
        phase_screen = screen_for(self.session)
        if phase_screen != self._phase_screen and not self.cart.lock.locked:
            self._phase_screen = phase_screen
            self.show(phase_screen)
        self._status_bar()
        self._prompt_bar()
        self._refresh_screen()
        self._toast()

    def _refresh_screen(self) -> None:
        screen = self.current()
        if isinstance(screen, LiveScreen):
            screen.refresh_text(self.probe.status().fps)
        elif hasattr(screen, "refresh"):
            screen.refresh()

    def _activity(self, *_: object) -> None:
        self.cart.touched()

    # -- screenshots ------------------------------------------------------------------------------
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
        self.cart.stop()


_KEYNAMES = {282: "f1", 283: "f2"}
