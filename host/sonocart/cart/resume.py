"""Records left open: after a crash or a power cut the cart offers them again at start (no Kivy).

A record is open when its journal's procedure is not completed. Listing only reads: each journal is
verified and folded, then closed; nothing is written. A record that cannot be read is listed with its
reason (never silently dropped), so that a person sees it and a technician can look at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sonocart.clock import Clock
from sonocart.procedures.catalogue import Catalogue
from sonocart.records.record import JOURNAL_NAME, ProcedureRecord


@dataclass(frozen=True)
class OpenRecord:
    path: Path
    procedure: str = ""  # the catalogue's name
    phase: str = ""  # the current phase's title
    step: str = ""  # the current step's text
    opened_wall: float = 0.0  # when the record was opened (wall clock, s since the epoch)
    error: str = ""  # why it could not be read ("" when it was)


def open_records(root: Path, catalogue: Catalogue, clock: Clock) -> list[OpenRecord]:
    """Every record under ``root`` whose procedure is not completed, newest first."""
    if not root.is_dir():
        return []
    found: list[OpenRecord] = []
    for journal in root.glob(f"*/{JOURNAL_NAME}"):
        try:
            record = ProcedureRecord.open(journal.parent, catalogue, clock)
        except Exception as exc:  # a damaged record is shown with its reason, not skipped
            found.append(OpenRecord(journal.parent, error=f"{type(exc).__name__}: {exc}"))
            continue
        try:
            state = record.engine.state
            if state.completed:
                continue
            first = next(iter(record.journal.events()))
            phase = state.procedure.phases[state.phase_index]
            step = state.current_step()
            found.append(
                OpenRecord(
                    journal.parent,
                    state.procedure.name,
                    phase.title,
                    step.text if step is not None else "",
                    first.wall,
                )
            )
        finally:
            record.close()
    return sorted(found, key=lambda r: r.opened_wall, reverse=True)
