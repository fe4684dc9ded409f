"""The cart app: receives its core objects by injection and redraws from them on the Kivy clock.

Three clocks: the display tick (60 Hz: image, pedal events), the text tick (4 Hz, or at once when the
session changed: step, prompt, status bar, status light, screen follows the procedure phase) and the
flash tick (10 Hz: IEC flash of the prompt marker). Text is only re-rendered when it changed.
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
from kivy.properties import BooleanProperty
from kivy.uix.screenmanager import NoTransition, Screen

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import LinkEvent, PedalEvent, PedalStatus
from sonocart.devices.probe import ProbeClient
from sonocart.imaging.liveness import assess
from sonocart.journal.store import Event
from sonocart_ui import theme as th
from sonocart_ui import widgets  # noqa: F401  (registers the shared widgets and kv rules)
from sonocart_ui.screens.alarms import AlarmsScreen
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
from sonocart_ui.viewmodels.alarm_style import flash_on, style_of
from sonocart_ui.viewmodels.captures import capture_clip, capture_still
from sonocart_ui.viewmodels.last import LastViewModel
from sonocart_ui.viewmodels.live import LiveViewModel
from sonocart_ui.viewmodels.lock import LockViewModel
from sonocart_ui.viewmodels.pedal_actions import PedalActions
from sonocart_ui.viewmodels.prompt_list import acknowledge
from sonocart_ui.viewmodels.session import CartSession
from sonocart_ui.viewmodels.settings import SettingsForm
from sonocart_ui.viewmodels.start import StartForm
from sonocart_ui.viewmodels.status_light import indicator_for
from sonocart_ui.viewmodels.step_form import StepForm

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

DISPLAY_HZ = 60.0
TEXT_HZ = 4.0
FLASH_HZ = 10.0
TOAST_S = 3.0
PEDAL_KEYS = {"a": "A", "b": "B", "f1": "A", "f2": "B"}


class CartApp(App):  # type: ignore[misc]
    title = "Sonocart"
    text_focused = BooleanProperty(False)

    def __init__(
        self,
        *,
        probe: ProbeClient,
        clock: Callable[[], float],
        session: CartSession,
        pedal: PedalBoard | None = None,
        pedal_remote: Callable[[str], str] | None = None,
        screenshot: Path | None = None,
        screenshot_every_s: float = 3.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.probe = probe
        self.clock = clock
        self.session = session
        self.pedal = pedal
        self.pedal_remote = pedal_remote
        self.screenshot_path = screenshot
        self.screenshot_every_s = screenshot_every_s
        self.theme = th.Theme.for_window(*Window.size)
        self.form = StepForm(session)
        self.live_vm = LiveViewModel(probe, clock, 800, 600)
        self.lock = LockViewModel(session, clock)
        self.pedal_actions = PedalActions(session, self.live_vm, self.form, self._buzz)
        self.live_screen: LiveScreen | None = None
        self._shown_version = -1
        self._phase_screen = ""
        self._indicator = ""
        self._keys_down: dict[int, str] = {}
        self.pedal_status: PedalStatus | None = None
        self.pedal_events: list[PedalEvent] = []
        session.add_listener(self._on_events)

    # -- building ---------------------------------------------------------------------------------
    def build(self) -> Any:
        Window.clearcolor = th.BG
        root = Factory.CartRoot()
        sm = root.ids.screens
        sm.transition = NoTransition()
        self.live_screen = LiveScreen(self.live_vm)
        for screen in (
            StartScreen(StartForm(self.session), name="start"),
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
        Window.bind(on_touch_down=self._activity, on_key_down=self._key_down, on_key_up=self._key_up)
        Clock.schedule_interval(self._tick, 1.0 / DISPLAY_HZ)
        Clock.schedule_interval(self._text_tick, 1.0 / TEXT_HZ)
        Clock.schedule_interval(self._flash_tick, 1.0 / FLASH_HZ)
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
        if self.lock.locked and name != "lock":
            name = "lock"
        self.screens.current = name
        self._refresh_screen()

    def go_procedure(self) -> None:
        """Back to the screen of the procedure's current phase (start when none is open)."""
        self._phase_screen = self.session.screen()
        self.show(self._phase_screen)

    def lock_now(self) -> None:
        self.lock.lock()
        self.show("lock")

    # -- actions from widgets ---------------------------------------------------------------------
    def step_action(self, key: str) -> None:
        self.form.press(key)
        self._text_tick(0)

    def acknowledge_top(self) -> None:
        """The bar's button acts on the prompt the bar shows; a hard stop opens the list (override)."""
        top = self.session.highest_prompt()
        if top is None:
            return
        if top.blocking:
            self.show("alarms")
        else:
            acknowledge(self.session, top.id)
        self._text_tick(0)

    def live_action(self, action: str) -> None:
        if action == "freeze":
            frozen = self.live_vm.toggle_freeze()
            self.session.say("FROZEN" if frozen else "live again")
            if self.live_screen is not None:
                self.live_screen.clear_calipers()
        elif action == "capture_still":
            capture_still(self.session, self.live_vm, "touch")
        elif action == "capture_clip":
            capture_clip(self.session, self.live_vm, "touch")
        elif action == "needle":
            on = self.live_vm.toggle_needle()
            self.session.say(f"needle enhancement {'on' if on else 'off'}")
        self._text_tick(0)

    def side_banner(self) -> str:
        eng = self.session.engine
        if eng is None:
            return ""
        b = eng.banner()
        site = b["procedure"].removeprefix("Ultrasound-guided ")
        return f"{b['side'] or 'SIDE ?'} · {site}"

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

    # -- ticks ------------------------------------------------------------------------------------
    def _tick(self, _dt: float) -> None:
        if self.live_screen is not None and self.screens.current == "live":
            self.live_screen.refresh()
        if self.pedal is not None:
            while (ev := self.pedal.get_event(0)) is not None:
                if isinstance(ev, PedalEvent):
                    self.pedal_events.append(ev)
                    if not self.lock.locked:
                        self.pedal_actions.handle(ev)
                elif isinstance(ev, LinkEvent):
                    self.session.changed()

    def _text_tick(self, _dt: float) -> None:
        s = self.session
        s.tick()
        if self.lock.check() and self.screens.current != "lock":
            self.show("lock")
        phase_screen = s.screen()
        if phase_screen != self._phase_screen and not self.lock.locked:
            self._phase_screen = phase_screen
            self.show(phase_screen)
        self._status_bar()
        self._status_light()
        if s.version != self._shown_version:
            self._shown_version = s.version
            self._prompt_bar()
            self._refresh_screen()
        else:  # timers and numbers move without an engine commit
            self._refresh_screen()
        self._toast()

    def _refresh_screen(self) -> None:
        screen = self.current()
        if isinstance(screen, LiveScreen):
            screen.refresh_text(self.probe.status().fps)
        elif hasattr(screen, "refresh"):
            screen.refresh()

    def _flash_tick(self, _dt: float) -> None:
        now = self.clock()
        top = self.session.highest_prompt()
        bar = self.root.ids.prompt
        bar.marker_on = True if top is None else flash_on(style_of(top.priority), now)
        screen = self.current()
        if isinstance(screen, AlarmsScreen):
            screen.flash(now)

    def _prompt_bar(self) -> None:
        bar = self.root.ids.prompt
        prompts = self.session.prompts()
        n = len(prompts)
        self.root.ids.nav.alarms_label = f"Alarms ({n})" if n else "Alarms"
        if not prompts:
            bar.text, bar.colour, bar.text_colour = "No active prompt", list(th.PANEL), list(th.TEXT_DIM)
            bar.can_ack, bar.more = False, ""
            return
        top = prompts[0]
        st = style_of(top.priority)
        bar.text = f"{st.marker} {st.word}: {top.text}"
        bar.colour, bar.text_colour = list(st.colour), [0, 0, 0, 1]
        bar.can_ack = True
        bar.ack_label = "Override..." if top.blocking else "Acknowledge"
        bar.more = f"+{n - 1} more" if n > 1 else ""

    def _status_bar(self) -> None:
        bar = self.root.ids.status
        status = self.probe.status()
        _frame, arrived, _count = self.probe.latest.get()
        live = assess(self.clock(), arrived, status.fault)
        age = "—" if live.frame_age_s is None else f"{live.frame_age_s * 1000:.0f} ms"
        bar.probe = f"probe {status.fps:.0f} fps · {age}" if status.identity else "[!] probe not connected"
        bar.banner = self.side_banner() or "No procedure open"
        bar.operator = f"op {self.session.operator or '—'}"
        if self.pedal is None:
            bar.pedal, bar.pedal_ok = "pedal board: none", False
            return
        ps = self.pedal.status()
        self.pedal_status = ps
        if ps.fault:
            bar.pedal, bar.pedal_ok = ps.fault, False
        else:
            board = ps.identity.board_id if ps.identity else "?"
            bar.pedal, bar.pedal_ok = f"pedals OK · light {ps.indicator} · {board}", True

    def _status_light(self) -> None:
        if self.pedal is None:
            return
        live = self.screens.current == "live" and self.live_screen is not None and self.live_screen.live
        state = indicator_for(self.session.highest_prompt(), self.session.record is not None, live, False)
        if state != self._indicator:
            self._indicator = state
            self.pedal.set_indicator(state)

    def _toast(self) -> None:
        fb = self.session.feedback
        toast = self.root.ids.toast
        text = ""
        if fb is not None and self.clock() - fb.at < TOAST_S:
            text = fb.text if fb.ok else f"[!] {fb.text}"
        if toast.text != text:
            toast.text = text
            toast.color = th.TEXT if fb is None or fb.ok else th.ALARM_MEDIUM

    def _on_events(self, events: list[Event]) -> None:
        """New prompts sound once, at their priority (the light follows on the next text tick)."""
        for ev in events:
            if ev.type in ("prompt_raised", "hard_stop"):
                prio = ev.payload.get("priority", "HIGH")
                self._buzz(str(prio).lower())

    def _buzz(self, priority: str) -> None:
        if self.pedal is not None:
            self.pedal.buzz(priority)

    def _activity(self, *_: object) -> None:
        self.lock.touched()

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
        self.probe.stop()
        if self.pedal is not None:
            self.pedal.stop()
        self.session.close()


_KEYNAMES = {282: "f1", 283: "f2"}
