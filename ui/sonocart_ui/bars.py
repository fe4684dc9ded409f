"""The frame's bars over the core's state: the top prompt (in the nav bar's band when it fits, else the
prompt bar above the screen or the live screen's own place), the status bar, the toast in its band and the
IEC flash of the prompt's marker. A mixin of :class:`sonocart_ui.app.CartApp`, which owns navigation; it
holds no policy (what a prompt says and when, the light, the lock: the core's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from sonocart.cart.alarms import flash_on, signal_of
from sonocart.cart.cart import Cart
from sonocart.cart.light import light_words
from sonocart.cart.session import CartSession
from sonocart.devices.pedal import PedalBoard
from sonocart.devices.probe import ProbeClient
from sonocart.imaging.liveness import assess
from sonocart_ui import theme as th
from sonocart_ui.screens.alarms import AlarmsScreen
from sonocart_ui.screens.live import LiveScreen
from sonocart_ui.viewmodels.alarm_style import style_of
from sonocart_ui.viewmodels.lock import banner_shown
from sonocart_ui.viewmodels.paged import paged
from sonocart_ui.viewmodels.step_form import StepForm

FLASH_HZ = 10.0
TOAST_S = 3.0
#: The lines a toast shows at once: the status band's two at 7 inches (its height at 10 inches holds two
#: of the toast's smaller font), so the band never grows and nothing below it moves (issue 14 item 5).
TOAST_LINES = 2
#: The prompt's act, one phrase on one line: no-break spaces (Kivy wraps at U+0020 only), so a wrapped
#: prompt never reads "Tap / to override"; the separator goes with it.
ACT_OVERRIDE = "·\u00a0Tap\u00a0to\u00a0override"
ACT_ACK = "·\u00a0Tap\u00a0to\u00a0acknowledge"


def toast_left(said_at: float | None, now: float, pages: int = 1) -> float:
    """Seconds until the toast said at ``said_at`` changes: its next page is due, or it is gone (each page
    shows for TOAST_S); 0 when it is gone, or nothing was said."""
    if said_at is None or now - said_at >= pages * TOAST_S:
        return 0.0
    age = max(0.0, now - said_at)
    return TOAST_S * (int(age // TOAST_S) + 1) - age


def toast_pages(lines: list[str], per_page: int) -> list[str]:
    """A message laid out in ``lines`` shown ``per_page`` lines at a time: whole lines, the line breaks
    where they were laid out, each page but a lone one marked "(i/n)" at its end (room kept for it)."""
    return paged(lines, per_page)


class FrameBars:
    """What the window shows around the screens, redrawn from the core's state (CartApp._redraw_text)."""

    cart: Cart
    session: CartSession
    probe: ProbeClient
    pedal: PedalBoard | None
    clock: Callable[[], float]
    theme: th.Theme
    form: StepForm
    live_screen: LiveScreen | None
    patient_text: str
    immersive: bool
    root: Any
    _flashing: bool
    _technician_board: str
    _pages_key: tuple[str, float] = ("", 0.0)
    _pages: tuple[str, ...] = ("",)

    def side_banner(self) -> str:
        eng = self.session.engine
        if eng is None:
            return ""
        b = eng.banner()
        site = b["procedure"].removeprefix("Ultrasound-guided ")
        changed = f" ({b['side_change']})" if b["side_change"] else ""  # never a silent change of side
        return f"{b['side'] or 'SIDE ?'}{changed} · {site}"

    def _set_flashing(self, on: bool) -> None:
        if on and not self._flashing:
            Clock.schedule_interval(self._flash_tick, 1.0 / FLASH_HZ)
        elif not on and self._flashing:
            Clock.unschedule(self._flash_tick)
            self.root.ids.prompt.marker_on = self.root.ids.nav.marker_on = True
        self._flashing = on

    def _flash_tick(self, _dt: float) -> None:
        now = self.clock()
        top = self.session.highest_prompt()
        on = True if top is None else flash_on(signal_of(top.priority), now)
        self.root.ids.prompt.marker_on = self.root.ids.nav.marker_on = on
        screen = self.root.ids.screens.current_screen
        if isinstance(screen, AlarmsScreen):
            screen.flash(now)

    def _prompt_bar(self) -> None:
        """The top prompt, whole, in one place: the nav bar's band right of LAST when its whole text fits
        there (the whole band while unacknowledged, else the room right of Alarms; nothing on any screen
        moves); else the window's prompt bar above the screen, or on the live screen beside the image or
        across it (LiveScreen.place_prompt). docs/ui.md says why."""
        bar, nav = self.root.ids.prompt, self.root.ids.nav
        prompts = self.session.prompts()
        n = len(prompts)
        nav.alarms_label = f"Alarms ({n})" if n else "Alarms"
        live = self.live_screen
        if not prompts:
            bar.text, bar.colour, bar.text_colour = "", list(th.PANEL), list(th.TEXT_DIM)
            bar.can_ack, bar.more, bar.showing = False, "", False
            nav.prompt_up, nav.prompt_wide, nav.prompt_act, nav.prompt_opens_list = False, False, False, False
            if live is not None:
                live.prompt_text = ""
            return
        top = prompts[0]
        st = style_of(top.priority)
        bar.text = f"{st.marker} {st.word}: {top.text}" + (" (acknowledged)" if top.acknowledged else "")
        bar.colour, bar.text_colour = list(st.colour), [0, 0, 0, 1]
        bar.can_ack = not (self.cart.lock.locked or top.acknowledged)  # locked: acknowledges nothing
        bar.ack_label = "Override" if top.blocking else "Acknowledge"
        bar.more = f"+{n - 1} more" if n > 1 else ""
        words = bar.text + (f" ({bar.more})" if bar.more else "")
        act = ACT_OVERRIDE if top.blocking else ACT_ACK
        # unacknowledged (and a tap acts on it): the whole band right of LAST if it fits whole there;
        # acknowledged, or too long for that: the room right of Alarms, navigation back (docs/ui.md)
        nav.prompt_colour, nav.prompt_act = list(st.colour), bar.can_ack
        if self.root.ids.screens.current == "alarms":
            # the list shows every prompt whole with its act (Override, Acknowledge): the band gives the
            # navigation back, so a hard stop's tap (which leads here) never leaves Steps, Image,
            # Settings or Lock out of reach; on leaving, the prompt takes its place again (AlarmsScreen)
            nav.prompt_up = nav.prompt_wide = nav.prompt_opens_list = False
            bar.showing = False
            self._report_shown()
            return
        # acknowledged and still up, with a short form (the catalogue's words): that, beside Alarms, its tap
        # opens the Alarms list where the whole text is; without one (or if it did not fit): today's places
        short = f"{st.marker} {st.word}: {top.short} (acknowledged)" if top.acknowledged and top.short else ""
        in_nav = nav.prompt_opens_list = bool(short) and nav.place_prompt(short, wide_ok=False)
        if not in_nav:
            in_nav = nav.place_prompt(f"{words}  {act}" if bar.can_ack else words, wide_ok=bar.can_ack)
        bar.showing = not in_nav
        if live is not None:
            live.prompt_text = "" if in_nav else words
            live.prompt_action = act if bar.can_ack else ""  # acknowledged: nothing to tap for
            live.prompt_colour = list(st.colour)
        self._report_shown()

    def prompt_target(self) -> Any:
        """The button on screen now that acts on the top prompt (None with no prompt up)."""
        nav = self.root.ids.nav
        if nav.prompt_up:
            return nav.ids.nav_prompt
        if self.immersive and self.live_screen is not None and self.live_screen.prompt_text:
            return self.live_screen.prompt_button
        return self.root.ids.prompt.ids.ack if self.root.ids.prompt.showing else None

    def _report_shown(self) -> None:
        """Tell the core which prompts' text is on screen now (the bar's top one; all on the list)."""
        prompts = self.session.prompts()
        shown = (
            {p.id for p in prompts}
            if self.root.ids.screens.current == "alarms"
            else {p.id for p in prompts[:1]}
        )
        self.session.prompts_shown(shown)

    def _probe_line(self) -> None:
        """The probe field moves with every frame (age), so it follows the image refresh, not the text."""
        status = self.probe.status()
        _frame, arrived, _count = self.probe.latest.get()
        live = assess(self.clock(), arrived, status.fault)
        age = "—" if live.frame_age_s is None else f"{live.frame_age_s * 1000:.0f} ms"
        # the bedside line at 7 inches: live and how fast; the frame age is a technician's (Settings)
        fps = f"probe {status.fps:.0f} fps"
        shown = fps if self.theme.compact else f"{fps} · {age}"
        text = shown if status.identity else "[!] probe not connected"
        bar = self.root.ids.status
        if bar.probe != text:
            bar.probe = text
        self._technician_line(f"{fps} · last frame {age} ago" if status.identity else "probe not connected")

    def _technician_line(self, probe: str) -> None:
        """What a technician checks, whole, on the Settings screen: probe rate and frame age, the board."""
        settings = self.root.ids.screens.get_screen("settings")
        text = f"{probe} · {self._technician_board}"
        if settings.technician_text != text:
            settings.technician_text = text

    def _status_bar(self) -> None:
        bar = self.root.ids.status
        self._probe_line()
        bar.banner = self.side_banner() or "No procedure open"
        self.patient_text = banner_shown(self.session.patient_banner(), self.cart.lock.locked)
        bar.operator = self.form.name(self.session.operator) if self.session.operator else "no operator"
        live = self.live_screen
        if self.pedal is None:
            bar.pedal, bar.pedal_ok = "pedal board: none", False
        else:
            ps = self.pedal.status()
            if ps.fault:
                bar.pedal, bar.pedal_ok = ps.fault, False
            else:
                board = ps.identity.board_id if ps.identity else "?"
                light = light_words(self.cart.light)  # the core's words for the light
                if self.theme.compact:  # the colour the team sees; its priority is the prompt bar's word
                    light = light.split(",")[0]
                # the board's id is a technician's: in Settings, and on the 10-inch bar that has the room
                where = "" if self.theme.compact else f" · board {board}"
                bar.pedal, bar.pedal_ok = f"pedals OK · light {light}{where}", True
                self._technician_board = f"pedal board {board}"
        if live is not None:
            live.pedal_ok = bar.pedal_ok
            live.pedal_text = "pedals OK" if bar.pedal_ok else f"[!] {bar.pedal}"

    def _toast_expired(self) -> None:
        """The toast's page timer ran out: its next page, or clear it; or wait what is left if it ran out
        early (a Kivy trigger counts from the start of its frame, so a long frame fires it early)."""
        self._toast()
        fb = self.session.feedback
        said = "" if fb is None else self._said(fb.text, fb.ok)
        left = toast_left(fb.at if fb is not None else None, self.clock(), len(self._toast_pages(said)))
        if left > 0:
            Clock.schedule_once(lambda _dt: self._toast_expired(), left + 0.05)

    @staticmethod
    def _said(text: str, ok: bool) -> str:
        return text if ok else f"[!] {text}"

    def _toast(self) -> None:
        """The core's newest message in the status band, whole, TOAST_LINES at a time (a longer one in
        pages of whole lines, each for TOAST_S: the band never grows, nothing below it moves); the live
        screen's band beside the image shows it whole at once."""
        fb = self.session.feedback
        toast = self.root.ids.toast
        text = shown = ""
        screen = self.root.ids.screens.current_screen
        said = "" if fb is None else self._said(fb.text, fb.ok)
        if fb is not None and not (hasattr(screen, "shows") and screen.shows(said)):
            # (left out when the screen shows it itself: said once)
            pages = self._toast_pages(said)
            page = int(max(0.0, self.clock() - fb.at) // TOAST_S)
            if page < len(pages):
                text, shown = said, pages[page]
        colour = th.TEXT if fb is None or fb.ok else th.ALARM_MEDIUM
        if toast.text != shown:
            toast.text = shown
            toast.color = colour
        if self.live_screen is not None and self.live_screen.toast_text != text:
            self.live_screen.toast_text = text
            self.live_screen.toast_colour = list(colour)

    def _toast_pages(self, text: str) -> tuple[str, ...]:
        """``text`` in the pages the status band shows, laid out as the toast label lays it out (its
        width less its margins and the page mark's room, its font); one page when it fits."""
        toast = self.root.ids.toast
        width = float(getattr(toast, "width", 0)) if text else 0.0
        key = (text, width)
        if self._pages_key != key:
            self._pages_key, self._pages = key, (text,)
            room = width - self.theme.gap * 2 if width > 0 else 0.0
            if room > 0 and len(_laid_out(text, room, toast.font_size, toast.bold)) > TOAST_LINES:
                room -= _text_width(" (9/9)", toast.font_size, toast.bold)
                lines = _laid_out(text, room, toast.font_size, toast.bold)
                self._pages = tuple(toast_pages(lines, TOAST_LINES))
        return self._pages


def _laid_out(text: str, width: float, font_size: float, bold: bool) -> list[str]:
    """The lines Kivy's text layout breaks ``text`` into at ``width`` (as a Label with that text_size)."""
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=text, font_size=font_size, bold=bold, text_size=(width, None))
    label.refresh()
    return ["".join(w.text for w in line.words).strip() for line in label._cached_lines]


def _text_width(text: str, font_size: float, bold: bool) -> float:
    from kivy.core.text import Label as CoreLabel

    return float(CoreLabel(font_size=font_size, bold=bold).get_extents(text)[0])
