"""PACS send queue kept in the journal: ``pacs_queued`` events in, ``pacs_sent`` events out.

Nothing is lost while the PACS is down: what is queued stays pending (it is a fold of the journal, so it
survives restarts) and :func:`flush` sends it when the PACS answers again. A file changed since it was
queued is not sent (its SHA-256 no longer matches) and is reported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.uid import EncapsulatedPDFStorage, UltrasoundImageStorage
from pynetdicom import AE

from sonocart.clock import Clock
from sonocart.journal.store import Journal

SYSTEM = "system"


@dataclass(frozen=True)
class PacsTarget:
    host: str
    port: int
    called_aet: str
    calling_aet: str = "SONOCART"
    timeout_s: float = 10.0


@dataclass
class FlushResult:
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    unreachable: str | None = None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def enqueue(journal: Journal, files: list[Path], operator: str, clock: Clock) -> list[dict[str, Any]]:
    """Queue DICOM files for the PACS (one atomic journal commit)."""
    items = []
    for path in files:
        ds = dcmread(path, stop_before_pixels=True)
        items.append(
            {"file": str(path.resolve()), "sop_instance_uid": str(ds.SOPInstanceUID), "sha256": _sha256(path)}
        )
    journal.append_many([("pacs_queued", item) for item in items], operator, clock.wall())
    return items


def pending(journal: Journal) -> list[dict[str, Any]]:
    """Queued and not yet stored by the PACS, oldest first; a re-queued instance appears once."""
    queue: dict[str, dict[str, Any]] = {}
    for ev in journal.events():
        if ev.type == "pacs_queued":
            queue[str(ev.payload["sop_instance_uid"])] = dict(ev.payload)
        elif ev.type == "pacs_sent":
            queue.pop(str(ev.payload["sop_instance_uid"]), None)
    return list(queue.values())


def flush(journal: Journal, target: PacsTarget, clock: Clock) -> FlushResult:
    """Send every pending object over one association; journal each success, and why anything failed."""
    result = FlushResult()
    todo = pending(journal)
    if not todo:
        return result
    ae = AE(ae_title=target.calling_aet)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = target.timeout_s
    ae.add_requested_context(UltrasoundImageStorage)
    ae.add_requested_context(EncapsulatedPDFStorage)
    assoc = ae.associate(target.host, target.port, ae_title=target.called_aet)
    if not assoc.is_established:
        result.unreachable = (
            f"PACS {target.called_aet}@{target.host}:{target.port} did not accept an association"
        )
        journal.append(
            "pacs_unreachable", {"reason": result.unreachable, "pending": len(todo)}, SYSTEM, clock.wall()
        )
        return result
    try:
        for item in todo:
            uid = str(item["sop_instance_uid"])
            path = Path(item["file"])
            try:
                if _sha256(path) != item["sha256"]:
                    raise ValueError("file changed since it was queued")
                status = assoc.send_c_store(dcmread(path))
                code = int(getattr(status, "Status", -1))
                if code != 0x0000:
                    raise RuntimeError(
                        f"C-STORE status 0x{code & 0xFFFF:04X}" if code >= 0 else "no C-STORE response"
                    )
            except (OSError, ValueError, RuntimeError) as exc:
                result.failed[uid] = str(exc)
                journal.append(
                    "pacs_send_failed", {"sop_instance_uid": uid, "reason": str(exc)}, SYSTEM, clock.wall()
                )
                if not assoc.is_established:
                    break
                continue
            journal.append(
                "pacs_sent", {"sop_instance_uid": uid, "called_aet": target.called_aet}, SYSTEM, clock.wall()
            )
            result.sent.append(uid)
    finally:
        if assoc.is_established:
            assoc.release()
    return result
