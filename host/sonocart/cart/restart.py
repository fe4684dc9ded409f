"""After a restart (a crash, the watchdog, a power cut): which record was open, so the cart resumes it.

The cart holds one record at a time and record ids sort by their start time, so only the newest record
can be the open one; it is open when its journal does not end the procedure. A record that cannot be
read is left for the technician (it is logged by folder name, never by content) and nothing is resumed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sonocart.clock import Clock
from sonocart.procedures.catalogue import Catalogue
from sonocart.records.record import JOURNAL_NAME, ProcedureRecord

log = logging.getLogger(__name__)


def open_record(records_root: Path, catalogue: Catalogue, clock: Clock) -> Path | None:
    """The newest record folder whose procedure is not completed, else None."""
    if not records_root.is_dir():
        return None
    folders = sorted(p for p in records_root.iterdir() if (p / JOURNAL_NAME).is_file())
    if not folders:
        return None
    newest = folders[-1]
    try:
        record = ProcedureRecord.open(newest, catalogue, clock)
    except Exception as exc:  # a damaged journal must not stop the cart from starting
        log.error("record %s could not be read to resume it: %s", newest.name, type(exc).__name__)
        return None
    try:
        return None if record.engine.state.completed else newest
    finally:
        record.close()
