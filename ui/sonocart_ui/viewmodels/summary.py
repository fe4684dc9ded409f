"""The summary screen: what the record holds, and export to files and the PACS queue."""

from __future__ import annotations

import datetime as dt
import time

from sonocart.cart.session import CartSession
from sonocart.journal.store import JournalError
from sonocart.procedures.patient import identifiers_line
from sonocart.records.export import export_record
from sonocart_ui.viewmodels.wording import counted, given_words


def summary_lines(session: CartSession) -> list[str]:
    """The record as the team reads it: names, local times, drugs with doses, overrides, complications."""
    eng = session.engine
    if eng is None:
        return ["No procedure open."]
    st = eng.state
    first = next(iter(eng.journal.events()), None)
    started = ""
    if first is not None:  # the date never split across two lines ("06 / Dec 2026" at 10 inches)
        when = time.localtime(first.wall)
        day = "\u00a0".join(time.strftime(f, when) for f in ("%d", "%b", "%Y"))
        started = f" · started {time.strftime('%H:%M', when)} on {day}"
    total = sum(a.volume_ml for a in st.aliquots)
    drugs = [f"{session.catalogue.drug_display_name(d)} {mg:g} mg" for d, mg in sorted(st.mg_by_drug.items())]
    lines = [
        f"{st.procedure.name} · side {(st.confirmed_side() or '—').upper()}{started}",
        identifiers_line(st.patient),
        f"drugs: {', '.join(drugs) or 'none given'}",
        f"{given_words(len(st.aliquots), total)} · dose {st.dose_fraction:.0%} of max",
        " · ".join(
            (
                counted(len(st.captures), "image", none="no images") + " captured",
                counted(len(st.outcomes), "outcome", none="no outcomes") + " recorded",
                counted(len(st.notes), "note", none="no notes"),
            )
        ),
    ]
    for o in st.overrides.values():
        at = time.strftime("%H:%M", time.localtime(float(o["wall"])))
        lines.append(f"[!] override by {_name(session, str(o['operator']))} at {at}: {o['reason']}")
    complications = st.answers.get("complications")
    step = next((s for ph in st.procedure.phases for s in ph.steps if s.id == "complications"), None)
    if isinstance(complications, list | tuple) and step is not None:  # the catalogue's words for each
        said = ", ".join(step.option_name(str(c)) for c in complications if c != "none")
        lines.append(f"complications: {said or 'none'}")
    lines.append(f"follow-up: {', '.join(map(human_date, st.follow_up)) or '—'}")
    phase = "" if st.completed else st.procedure.phases[st.phase_index].title
    lines.append(f"status: {'complete' if st.completed else 'in progress: ' + phase}")
    return lines


def human_date(iso: str) -> str:
    """A follow-up date as the team reads it ("Tue 8 Dec 2026"); the record keeps the ISO date."""
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return iso  # not a date the engine wrote: shown as it is rather than hidden
    return f"{d:%a} {d.day} {d:%b %Y}"


def _name(session: CartSession, operator_id: str) -> str:
    return next((o.name for o in session.settings.operators if o.id == operator_id), operator_id)


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
    # the folder is the record's own exports folder: a path means nothing at the bedside
    session.say(f"exported {2 + len(out.dicom)} files: the PDF report and DICOM, in the record")
    return True
