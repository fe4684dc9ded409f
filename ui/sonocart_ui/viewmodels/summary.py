"""The summary screen: what the record holds, and export to files and the PACS queue."""

from __future__ import annotations

from sonocart.cart.session import CartSession
from sonocart.journal.store import JournalError
from sonocart.records.export import export_record


def summary_lines(session: CartSession) -> list[str]:
    eng = session.engine
    if eng is None:
        return ["No procedure open."]
    st = eng.state
    total = sum(a.volume_ml for a in st.aliquots)
    return [
        f"{st.procedure.name} · side {(st.confirmed_side() or '—').upper()} · record {st.record_id}",
        f"patient {st.patient.get('name', '')} ({st.patient.get('id', '')})",
        f"aliquots {len(st.aliquots)} · {total:g} mL · dose {st.dose_fraction:.0%} of max",
        f"captures {len(st.captures)} · outcomes {len(st.outcomes)} · notes {len(st.notes)}",
        f"follow-up: {', '.join(st.follow_up) or '—'}",
        f"status: {'complete' if st.completed else 'in progress: ' + st.current_phase_id()}",
    ]


def export(session: CartSession) -> bool:
    record = session.record
    if record is None:
        session.say("nothing to export", ok=False)
        return False
    try:
        out = export_record(record, session.operator)
    except (JournalError, OSError, ValueError) as exc:
        session.say(f"export failed — {exc}", ok=False)
        return False
    session.say(f"exported {2 + len(out.dicom)} files to {out.folder}")
    return True
