"""Summary and export: what the record holds; export the report and DICOM; send them to the PACS.

The PACS send runs in a worker thread (the network may take seconds; the screen must keep answering); its
result reaches widgets only through ``Clock.schedule_once`` on the Kivy thread (viewmodels/pacs_send.py)."""

from __future__ import annotations

import threading
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from sonocart.cart.pacs import (
    counts,
    flush_record,
    queue_exports,
    result_message,
    status_line,
    target_of,
)
from sonocart.records.pacs_queue import FlushResult
from sonocart_ui.viewmodels.summary import export, summary_lines

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SummaryScreen(Screen):  # type: ignore[misc]
    text = StringProperty("")
    pacs_text = StringProperty("")
    sending = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._pacs_message = ""
        super().__init__(**kwargs)

    def refresh(self) -> None:
        session = App.get_running_app().session
        self.text = "\n".join(summary_lines(session))
        line = "PACS: sending..." if self.sending else status_line(session)
        self.pacs_text = f"{line}\n{self._pacs_message}" if self._pacs_message else line

    def export(self) -> None:
        export(App.get_running_app().session)
        self.refresh()

    def send_to_pacs(self) -> None:
        """Queue the exports (journaled with the operator), then flush the queue off the Kivy thread."""
        session = App.get_running_app().session
        record = session.record
        if self.sending or record is None:
            return
        added = queue_exports(session)
        target = target_of(session.settings.pacs)
        self.sending, self._pacs_message = True, f"queued {added} new object(s); sending..."
        self.refresh()
        path, clock = record.path, session.clock

        def work() -> None:
            try:
                result = flush_record(path, target, clock)
            except Exception as exc:  # shown on screen, never lost in a thread
                result = FlushResult(unreachable=f"send failed: {exc}")
            Clock.schedule_once(lambda _dt: self._sent(result), 0)

        threading.Thread(target=work, name="pacs-send", daemon=True).start()

    def _sent(self, result: FlushResult) -> None:
        session = App.get_running_app().session
        self.sending = False
        text, ok = result_message(result, counts(session)[1])
        detail = result.unreachable or ""
        self._pacs_message = text if ok else f"[!] {text}" + (f"\n{detail}" if detail else "")
        session.say(text, ok=ok)
        self.refresh()

    def new_procedure(self) -> None:
        app = App.get_running_app()
        app.session.close()
        app.show("start")
