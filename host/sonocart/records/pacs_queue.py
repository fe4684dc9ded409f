"""PACS send queue kept in the journal: ``pacs_queued`` events in, ``pacs_sent`` events out.

Nothing is lost while the PACS is down: what is queued stays pending (it is a fold of the journal, so it
survives restarts) and :func:`flush` sends it when the PACS answers again. A file changed since it was
queued is not sent (its SHA-256 no longer matches) and is reported.

Each attempt is journaled as what was sent, not what was meant: ``pacs_send_attempt`` (SOP Instance UID,
the SHA-256 of the file bytes read for this attempt, its number) before the C-STORE, then ``pacs_sent`` or
``pacs_send_failed`` with ``sent_sha256``/``sent_bytes``, the hash of the dataset bytes that left in the
P-DATA PDUs (:mod:`pacs_wire`), and the transfer syntax. The file is read once per attempt; the dataset
sent is parsed from those same bytes, so nothing can change between the check and the send.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.filebase import DicomBytesIO
from pydicom.uid import EncapsulatedPDFStorage, UltrasoundImageStorage
from pynetdicom import AE

from sonocart.clock import Clock
from sonocart.journal.store import Journal
from sonocart.records.pacs_wire import WireTap

SYSTEM = "system"
MAX_OBJECT_BYTES = 512 << 20  # an export is a few MB; refuse before reading anything larger


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


ATTEMPT_EVENTS = ("pacs_send_attempt", "pacs_send_failed", "pacs_sent")


def attempts(journal: Journal) -> Counter[str]:
    """How many sends were attempted per SOP Instance UID, refused ones included (a fold of the journal)."""
    count: Counter[str] = Counter()
    for ev in journal.events():
        if ev.type in ATTEMPT_EVENTS and "attempt" in ev.payload:
            uid = str(ev.payload["sop_instance_uid"])
            count[uid] = max(count[uid], int(ev.payload["attempt"]))
    return count


def _read_queued(item: dict[str, Any]) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256, refused when it is not what was queued."""
    path = Path(item["file"])
    if path.stat().st_size > MAX_OBJECT_BYTES:
        raise ValueError(f"file is larger than {MAX_OBJECT_BYTES} bytes")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != item["sha256"]:
        raise ValueError("file changed since it was queued")
    return data, digest


def flush(journal: Journal, target: PacsTarget, clock: Clock) -> FlushResult:
    """Send every pending object over one association; journal each attempt, what was sent and the outcome."""
    result = FlushResult()
    todo = pending(journal)
    if not todo:
        return result
    ae = AE(ae_title=target.calling_aet)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = target.timeout_s
    ae.add_requested_context(UltrasoundImageStorage)
    ae.add_requested_context(EncapsulatedPDFStorage)
    tap = WireTap()
    assoc = ae.associate(target.host, target.port, ae_title=target.called_aet, evt_handlers=[tap.handler])
    if not assoc.is_established:
        result.unreachable = (
            f"PACS {target.called_aet}@{target.host}:{target.port} did not accept an association"
        )
        journal.append(
            "pacs_unreachable", {"reason": result.unreachable, "pending": len(todo)}, SYSTEM, clock.wall()
        )
        return result
    tried = attempts(journal)
    try:
        for item in todo:
            uid = str(item["sop_instance_uid"])
            tried[uid] += 1
            attempt: dict[str, Any] = {"sop_instance_uid": uid, "attempt": tried[uid]}
            tap.reset()
            try:
                data, digest = _read_queued(item)
                ds = dcmread(DicomBytesIO(data))
                if str(ds.SOPInstanceUID) != uid:
                    raise ValueError("file holds another SOP Instance than was queued")
                attempt["sha256"] = digest
                journal.append(
                    "pacs_send_attempt", {**attempt, "called_aet": target.called_aet}, SYSTEM, clock.wall()
                )
                status = assoc.send_c_store(ds)
                code = int(getattr(status, "Status", -1))
                if code != 0x0000:
                    raise RuntimeError(
                        f"C-STORE status 0x{code & 0xFFFF:04X}" if code >= 0 else "no C-STORE response"
                    )
            except (OSError, ValueError, RuntimeError) as exc:
                result.failed[uid] = str(exc)
                journal.append(
                    "pacs_send_failed",
                    {**attempt, "reason": str(exc), "sent_sha256": tap.sha256(), "sent_bytes": tap.size},
                    SYSTEM,
                    clock.wall(),
                )
                if not assoc.is_established:
                    break
                continue
            syntax = _transfer_syntax(assoc, ds)
            journal.append(
                "pacs_sent",
                {
                    **attempt,
                    "called_aet": target.called_aet,
                    "sent_sha256": tap.sha256(),
                    "sent_bytes": tap.size,
                    "transfer_syntax": syntax,
                },
                SYSTEM,
                clock.wall(),
            )
            result.sent.append(uid)
    finally:
        if assoc.is_established:
            assoc.release()
    return result


def _transfer_syntax(assoc: Any, ds: Any) -> str:
    """The transfer syntax the C-STORE of ``ds`` went in (the accepted context for its SOP class)."""
    for context in assoc.accepted_contexts:
        if context.abstract_syntax == ds.SOPClassUID:
            return str(context.transfer_syntax[0])
    return ""
