"""Send the record's DICOM exports to the PACS saved in Settings, through the journaled send queue.

Queuing is a journaled action by the operator (``pacs_queue.enqueue``); sending is ``pacs_queue.flush``,
which may wait on the network for seconds, so :class:`PacsWorker` runs :func:`flush_record` in a thread:
it opens its own connection to the record's journal (SQLite connections stay in their thread; each append
reads the chain's tail inside its own transaction, so both connections extend one chain). Nothing is lost
when the PACS is down: what was queued stays pending in the journal and is sent by a later flush.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from sonocart.cart.session import CartSession
from sonocart.cart.settings import PacsDestination
from sonocart.clock import Clock
from sonocart.journal.store import Journal, JournalError
from sonocart.records.pacs_queue import FlushResult, PacsTarget, enqueue, flush, pending
from sonocart.records.record import JOURNAL_NAME


def target_of(dest: PacsDestination, timeout_s: float = 10.0) -> PacsTarget:
    return PacsTarget(dest.host, dest.port, dest.called_aet, dest.calling_aet, timeout_s)


def _exported_dicom(session: CartSession) -> list[Path]:
    """The DICOM files of the newest identified export (made now if the record has none yet)."""
    record = session.record
    assert record is not None
    latest: list[Path] = []
    for ev in record.journal.events():
        if ev.type == "export_written" and not ev.payload.get("deidentified"):
            folder = Path(str(ev.payload["folder"]))
            latest = [folder / str(f) for f in ev.payload["files"] if str(f).endswith(".dcm")]
    if latest and all(p.exists() for p in latest):
        return latest
    # Imported here: pydicom and fpdf2 take ~0.3-0.7 s to import, which every start of the cart (a
    # restart after a crash, the live image) would otherwise wait for before its first frame.
    from sonocart.records.export import export_record

    return export_record(record, session.operator).dicom


def queue_exports(session: CartSession) -> int:
    """Queue the export's DICOM files not queued before (journaled with the operator); how many were added."""
    record = session.record
    if record is None:
        session.say("nothing to send: no procedure open", ok=False)
        return 0
    if not session.operator:
        session.say("sign in as an operator first", ok=False)
        return 0
    try:
        files = _exported_dicom(session)
        queued = {str(ev.payload["file"]) for ev in record.journal.events() if ev.type == "pacs_queued"}
        new = [p for p in files if str(p.resolve()) not in queued]
        if new:
            enqueue(record.journal, new, session.operator, session.clock)
    except (JournalError, OSError, ValueError) as exc:
        session.say(f"PACS send NOT queued — {exc}", ok=False)
        return 0
    return len(new)


def flush_record(record_path: Path, target: PacsTarget, clock: Clock) -> FlushResult:
    """Send what is pending (worker thread): its own journal connection, closed before returning."""
    with Journal(record_path / JOURNAL_NAME) as journal:
        return flush(journal, target, clock)


def counts(session: CartSession) -> tuple[int, int]:
    """(sent, pending) for this record, from the journal."""
    record = session.record
    if record is None:
        return 0, 0
    sent = sum(1 for ev in record.journal.events() if ev.type == "pacs_sent")
    return sent, len(pending(record.journal))


def status_line(session: CartSession) -> str:
    sent, waiting = counts(session)
    return f"PACS: sent {sent} / pending {waiting}"


def result_message(result: FlushResult, waiting: int) -> tuple[str, bool]:
    """A short line for the toast after a flush, and whether it went well (the why is in ``result``)."""
    if result.unreachable:
        return f"PACS down: {waiting} stay queued, nothing lost", False
    if result.failed:
        reasons = "; ".join(sorted(set(result.failed.values())))
        return f"PACS sent {len(result.sent)}, {len(result.failed)} failed and stay queued: {reasons}", False
    return f"PACS: sent {len(result.sent)}, {waiting} pending", True


class PacsWorker:
    """Sends a record's queue on a worker thread; the result is collected by the cart's pump (its thread).

    Only one send runs at a time; the worker touches no SQLite object of the pump's thread."""

    def __init__(self) -> None:
        self._done: queue.Queue[FlushResult] = queue.Queue()
        self.sending = False

    def start(self, session: CartSession) -> str:
        """Queue the exports (journaled with the operator), then flush off the pump's thread."""
        record = session.record
        if self.sending:
            return "PACS: already sending"
        if record is None:
            session.say("nothing to send: no procedure open", ok=False)
            return "nothing to send"
        added = queue_exports(session)
        target = target_of(session.settings.pacs)
        path, clock = record.path, session.clock
        self.sending = True

        def work() -> None:
            try:
                result = flush_record(path, target, clock)
            except Exception as exc:  # shown on screen, never lost in a thread
                result = FlushResult(unreachable=f"send failed: {exc}")
            self._done.put(result)

        threading.Thread(target=work, name="pacs-send", daemon=True).start()
        return f"queued {added} new object(s); sending..."

    def collect(self) -> FlushResult | None:
        """The finished send's result, once (call from the pump's thread)."""
        try:
            result = self._done.get_nowait()
        except queue.Empty:
            return None
        self.sending = False
        return result
