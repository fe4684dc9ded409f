"""Summary and export: what the record holds; export the report and DICOM; send them to the PACS.

The PACS send is the core's (``Cart.send_to_pacs``: a worker thread, its result collected by the pump on the
Kivy thread and announced as a ``pacs`` event); the screen only shows the state."""

from __future__ import annotations

import time
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from sonocart.cart.pacs import (
    status_line,
)
from sonocart.cart.session import CartSession
from sonocart_ui.viewmodels.summary import export, summary_lines
from sonocart_ui.widgets import WholeRows


class RecordLines(BoxLayout):  # type: ignore[misc]
    """The record's lines (``text``, one per line), each its own wrapped label: a line that wraps stays
    with its own item, a gap before the next (on 7 inches the longer items take two lines)."""

    text = StringProperty("")

    def on_text(self, _widget: object, text: str) -> None:
        self.clear_widgets()
        for line in text.split("\n") if text else ():
            self.add_widget(RecordLine(text=line))


class RecordLine(Label):  # type: ignore[misc]
    """One item of the record, wrapped to the body's width."""


class Thumbnail(BoxLayout):  # type: ignore[misc]
    """One captured still of the record, drawn whole, with its number and local time."""

    source = StringProperty("")
    caption = StringProperty("")
    after = NumericProperty(0)  # px of room under its caption (SummaryScreen.fit_stills)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SummaryScreen(Screen):  # type: ignore[misc]
    text = StringProperty("")
    pacs_text = StringProperty("")
    #: Beside the actions, never scrolled away: the last send's result as the toast said it, else the counts.
    pacs_result = StringProperty("")
    pacs_failed = BooleanProperty(False)
    sending = BooleanProperty(False)
    #: px the body's window gives up at its bottom so that, at rest, no line is cut by its edge
    snap = NumericProperty(0)
    #: 10 inches: the width of the stills' column beside the record's lines (fit_stills); 0 with no stills
    still_width = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        self._pacs_message = ""
        self._pacs_said = ""  # the last send's result, in the toast's words ("" before any)
        self._said_fits = True  # it fits the room beside the actions (fit_result)
        self._shown: tuple[tuple[str, int], ...] = ()
        super().__init__(**kwargs)
        self._whole = WholeRows(self, self.ids.scroll, self.ids.body)
        self.ids.thumbs.bind(children=self._whole.later)
        self._fit_stills = Clock.create_trigger(lambda _dt: self.fit_stills())
        self.ids.thumbs.bind(children=self._fit_stills)
        self.ids.scroll.parent.bind(height=self._fit_stills)
        self.ids.title.bind(height=self._fit_stills)
        self.ids.lines.bind(children=self._fit_stills)

    def fit_stills(self) -> None:
        """10 inches: the stills' column beside the title and lines, as wide as lets two stills stand
        whole with their captions in the body's window at rest, a line and a gap above its bottom (its
        slot: the window and the room it gives up): where the lines beside make the window give up room
        at rest (a line at most), its edge still runs through no still (a still cut would make it give
        up its room down to that still's top). The tallest still (its least width to height) sets the
        width; the second has that line's room after it (``Thumbnail.after``), so that a third starts
        below the slot. 7 inches: the stills under the lines."""
        app = App.get_running_app()
        thumbs = [t for t in reversed(self.ids.thumbs.children) if isinstance(t, Thumbnail)]
        ids = self.ids
        slot = float(ids.scroll.parent.height)  # the window and the room it gives up, whatever the snap
        if app.theme.compact or not thumbs:
            self.still_width = 0
            return
        lines = [w for w in ids.lines.children if isinstance(w, RecordLine)]
        reserve = float(app.theme.gap) + max((_one_line_height(w) for w in lines), default=0.0)
        gap = float(ids.thumbs.spacing[1])
        # a caption on one line (its height now may be the one it had laid out in a column of no width)
        caption = max(_one_line_height(t.ids.caption) for t in thumbs)
        ratio = min(max(float(t.ids.still.image_ratio), 0.5) for t in thumbs)
        still = (slot - reserve - gap) / 2 - caption  # one still as large as two
        width = min(max(still, 0.0) * ratio, float(ids.body.width) * 0.4)  # the lines keep the most
        for i, t in enumerate(thumbs):
            t.after = reserve if i == 1 and len(thumbs) > 2 else 0.0
        if abs(width - float(self.still_width)) > 0.5:
            self.still_width = width

    def shows(self, said: str) -> bool:
        """Whether this screen shows the core's message ``said`` itself, beside the send button: the status
        band then leaves it out (shown once, where the send is; issue 14, brief UB defect 1)."""
        return bool(self._pacs_said) and self.pacs_result == said != ""

    def refresh(self) -> None:
        session = App.get_running_app().session
        self.text = "\n".join(summary_lines(session))
        self._thumbnails(session)
        self.sending = App.get_running_app().cart.pacs.sending
        line = "PACS: sending..." if self.sending else status_line(session)
        self.pacs_text = f"{line}\n{self._pacs_message}" if self._pacs_message else line
        self.pacs_result = self._result(line)

    def fit_result(self) -> None:
        """7 inches: a result taller than the column's room above the buttons (a failed send's reasons)
        gives way to the counts, marked failed (the toast said it whole; the body's end keeps it), so
        the buttons never move and nothing is drawn over them."""
        app = App.get_running_app()
        label, column = self.ids.pacs_result, self.ids.actions_column
        room = column.height - self.ids.actions.height - 2 * app.theme.gap
        tall = label.texture_size[1] > room + 1
        if app.theme.compact and tall and self._said_fits and self.pacs_result == self._pacs_said != "":
            self._said_fits = False
            self.refresh()
            app._redraw()  # the status band says it whole instead (shows: no longer shown here)

    def _result(self, line: str) -> str:
        """Beside the actions: sending, or the last result as the toast said it (or, when that does not
        fit its room, the counts marked failed: the whole text is at the body's end), or the counts."""
        if self.sending or not self._pacs_said:
            return line
        return self._pacs_said if self._said_fits else f"[!] {line}"

    def _thumbnails(self, session: CartSession) -> None:
        """The record's stills as thumbnails (rebuilt only when the captures change)."""
        record, eng = session.record, session.engine
        stills = [] if record is None or eng is None else [c for c in eng.state.captures if c.get("file")]
        key = tuple((str(c["file"]), c["seq"]) for c in stills)
        if key == self._shown:
            return
        self._shown = key
        grid = self.ids.thumbs
        grid.clear_widgets()
        for c in stills:
            at = time.strftime("%H:%M", time.localtime(float(c["wall"])))
            number = c.get("number", len(grid.children) + 1)
            source = str(record.path / str(c["file"]))  # type: ignore[union-attr]
            thumb = Thumbnail(source=source, caption=f"still {number} · {at}")
            thumb.ids.still.bind(image_ratio=self._fit_stills)
            thumb.ids.caption.bind(height=self._fit_stills)
            grid.add_widget(thumb)

    def export(self) -> None:
        export(App.get_running_app().session)
        self.refresh()

    def send_to_pacs(self) -> None:
        """Queue the exports (journaled with the operator) and send them off the Kivy thread (the core)."""
        cart = App.get_running_app().cart
        if cart.pacs.sending or cart.session.record is None:
            return
        self._pacs_message = cart.send_to_pacs()
        self.refresh()

    def pacs_finished(self, text: str, ok: bool) -> None:
        """The core's ``pacs`` event: how the send went (the why is in the text)."""
        self._pacs_message = text if ok else f"[!] {text}"
        # the core said its result (the toast) before announcing it with the why appended: shown as said
        said = App.get_running_app().session.feedback
        head = said.text if said is not None and said.text and text.startswith(said.text) else text
        self._pacs_said = head if ok else f"[!] {head}"
        self.pacs_failed = not ok
        self._said_fits = True
        self.refresh()

    def new_procedure(self) -> None:
        app = App.get_running_app()
        self._pacs_message = self._pacs_said = ""  # the next record's sends are its own
        self.pacs_failed = False
        app.session.close()
        app.show("start")


def _one_line_height(label: Label) -> float:
    """The height ``label``'s text takes on one line, at its font."""
    from kivy.core.text import Label as CoreLabel

    return float(CoreLabel(font_size=label.font_size, bold=label.bold).get_extents(label.text or "0")[1])
