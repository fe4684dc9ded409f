"""Settings: pedal mapping per context, idle lock time, PACS destination (viewmodels/settings.py)."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from sonocart_ui.viewmodels.settings import SettingsForm
from sonocart_ui.viewmodels.step_form import Action
from sonocart_ui.widgets import WholeRows

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SettingsScreen(Screen):  # type: ignore[misc]
    pacs_text = StringProperty("")
    #: the technician's line, whole (the 7-inch status bar leaves them out): probe rate, frame age, board id
    technician_text = StringProperty("")
    #: px the pedal list's window gives up at its bottom so that, at rest, no row is cut by its edge
    snap = NumericProperty(0)

    def __init__(self, form: SettingsForm, **kwargs: object) -> None:
        self.form = form
        super().__init__(**kwargs)

    def on_kv_post(self, _base: object) -> None:
        self.ids.pedals.on_action = self._press
        whole = WholeRows(self, self.ids.pedal_scroll, self.ids.pedal_list)
        self.ids.pedals.bind(children=whole.later)
        if App.get_running_app().theme.compact:
            # 7 inches: the two information lines go under the pedal rows, in their scroll (a window's
            # theme is set once, at its size)
            info = self.ids.info
            self.ids.page.remove_widget(info)
            self.ids.pedal_list.add_widget(info)

    def on_pre_enter(self, *_: object) -> None:
        """Opening Settings: each PACS field shows the value the cart uses now (what was typed and not
        saved is dropped; an entry refused stays in its field while the screen is open, to correct)."""
        ids = self.ids
        ids.pacs_host.text, ids.pacs_port.text, ids.pacs_aet.text = self.form.pacs_fields()

    def refresh(self) -> None:
        f = self.form
        acts = [Action(k, label) for k, label in f.rows()]
        idle = f.session.settings.idle_lock_s
        acts += [Action("idle", f"Lock after {idle:g} s idle"), Action("reset", "Default pedals")]
        self.ids.pedals.show(acts)
        self.pacs_text = f.pacs_line()

    def _press(self, key: str) -> None:
        if key == "idle":
            self.form.cycle_idle()
        elif key == "reset":
            self.form.reset_pedals()
        else:
            self.form.cycle_pedal(key)
        self.refresh()

    def save_pacs(self) -> None:
        self.form.set_pacs(self.ids.pacs_host.text, self.ids.pacs_port.text, self.ids.pacs_aet.text)
        self.refresh()
