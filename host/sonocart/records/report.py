"""The procedure report as plain data (exported as JSON, and rendered to PDF by :mod:`pdf_report`).

Built only from the verified journal, so the report says what the record holds. The de-identified form
replaces the patient and the record id with fresh random aliases (:class:`Aliases`, new for every export,
so nothing in them leads back to the record), turns clock times into offsets from the start of the record,
leaves out free-text notes (they may name people) and every value that would link it to the identified
record (head hash, capture file hashes, SOP Instance UIDs).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sonocart.journal.store import Event, Journal
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.outcomes import percent_relief
from sonocart.procedures.state import State
from sonocart.records.chart_words import Words
from sonocart.records.summary import local_time, offset_time, staff_names, summary

REPORT_VERSION = 2  # 2: the clinical summary and the timeline in words (issue 13)
#: Fields people type freely; they may name someone, so a de-identified report drops their content.
FREE_TEXT_KEYS = frozenset({"reason", "last_dose", "goal", "label", "clinician", "clinician_id"})
REMOVED = "[free text removed]"
REMOVED_LINK = "[removed: de-identified]"


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REMOVED if k in FREE_TEXT_KEYS and v else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


#: Payload keys that would tie a de-identified timeline to the identified record or its PACS objects.
LINK_KEYS = frozenset({"sop_instance_uid", "sha256", "file", "folder", "head_hash", "signed_head"})


@dataclass(frozen=True)
class Aliases:
    """The random names of one de-identified export: shared by its JSON, PDF and DICOM, linked to nothing."""

    patient: str
    record: str
    uid_salt: str

    @classmethod
    def fresh(cls) -> Aliases:
        return cls(
            "ANON-" + secrets.token_hex(6).upper(),
            "REC-" + secrets.token_hex(6).upper(),
            secrets.token_hex(16),
        )


def _time(wall: float, start: float, deidentify: bool) -> str:
    """Offsets from the start when de-identified, else the cart's local time with its UTC offset."""
    return offset_time(wall, start) if deidentify else local_time(wall, seconds=True)


CAPTURE_KEYS = ("number", "file", "sha256", "rows", "columns", "mm_per_px", "origin_px", "label", "operator")


def _redacted(ev: Event) -> Event:
    payload = {k: v for k, v in ev.payload.items() if k not in LINK_KEYS}
    return Event(ev.seq, ev.wall, ev.operator, ev.type, redact(payload), ev.hash)


def _clean(item: dict[str, Any], deidentify: bool) -> dict[str, Any]:
    kept = {k: v for k, v in item.items() if k != "wall"}
    return dict(redact(kept)) if deidentify else kept


def _capture_entry(capture: dict[str, Any], deidentify: bool) -> dict[str, Any]:
    entry = _clean({k: capture[k] for k in CAPTURE_KEYS}, deidentify)
    if deidentify:  # the file's name and hash are the identified record's
        entry.pop("file")
        entry["sha256"] = REMOVED_LINK
    return entry


def build_report(
    journal: Journal,
    state: State,
    deidentify: bool = False,
    aliases: Aliases | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """The report; de-identified with ``aliases`` (fresh ones when not given); ``catalogue`` names the
    allergies and antithrombotics the answers list by id."""
    alias = aliases or Aliases.fresh()
    count = journal.verify()
    events = list(journal.events())
    start = events[0].wall
    proc = state.procedure
    if deidentify:
        patient: dict[str, Any] = {"pseudonym": alias.patient}  # the summary's banner names the same
    else:
        patient = dict(state.patient)
    baseline = next((o["value"] for o in state.outcomes if o["measure"] == "pain_nrs"), None)
    relief = []
    for o in state.outcomes:
        if o["measure"] == "pain_nrs_post" and baseline is not None:
            relief.append(
                {
                    "minutes_after": o.get("minutes_after"),
                    "nrs": o["value"],
                    "percent_relief": percent_relief(float(baseline), float(o["value"])),
                }
            )
    drug_names = {str(d["drug"]): str(d["name"]) for d in state.dose_limits.get("drugs", ())}
    words = Words(proc, staff_names(state, deidentify), drug_names, catalogue)
    timeline = [
        {
            "seq": e.seq,
            "time": _time(e.wall, start, deidentify),
            "operator": e.operator,
            "who": words.person(e.operator),
            "event": e.type,
            "what": words.event(_redacted(e) if deidentify else e),
        }
        for e in events
        if not (deidentify and e.type in ("note", "record_opened"))
    ]
    return {
        "report_version": REPORT_VERSION,
        "summary": summary(state, words, start, deidentify, alias.patient),
        # The record id carries the date: a de-identified report gets an unlinkable alias instead.
        "record_id": state.record_id if not deidentify else alias.record,
        "deidentified": deidentify,
        "procedure": {"id": proc.id, "name": proc.name, "bleeding_risk": proc.bleeding_risk},
        "patient": patient,
        "side": state.confirmed_side(),
        "side_change": state.side_change(),
        "opened": _time(start, start, deidentify),
        "status": "completed" if state.completed else f"in progress: {state.current_phase_id()}",
        "answers": state.answers
        if not deidentify
        else redact({k: v for k, v in state.answers.items() if k != "team"}),
        "overrides": [
            {
                "rule": rule,
                "operator": o["operator"],
                "reason": REMOVED if deidentify else o["reason"],
                "time": _time(o["wall"], start, deidentify),
            }
            for rule, o in state.overrides.items()
        ],
        "active_hard_stops": sorted(state.hard_stops),
        "dose": {
            "mg_by_drug": state.mg_by_drug,
            "fraction_of_max": state.dose_fraction,
            "weight_kg": state.answers.get("weight_kg"),
            "aliquots": [
                {
                    "time": _time(a.wall, start, deidentify),
                    "syringe": a.syringe,
                    "volume_ml": a.volume_ml,
                    "mg_by_drug": a.mg_by_drug,
                    "rate_ml_per_min": a.rate_ml_per_min,
                    "via": a.via,
                    "operator": a.operator,
                    "over_limit": a.over_limit,
                    "flags": list(a.flags),
                }
                for a in state.aliquots
            ],
        },
        "captures": [_capture_entry(c, deidentify) for c in state.captures],
        "outcomes": [
            {**_clean(o, deidentify), "time": _time(o["wall"], start, deidentify)} for o in state.outcomes
        ],
        "relief": relief,
        "follow_up": state.follow_up if not deidentify else [f"week {w}" for w in state.follow_up_weeks],
        "discharge_instructions": state.discharge_given,
        "last_actions": [
            {"step": a["step"], "operator": a["operator"], "time": _time(a["wall"], start, deidentify)}
            for a in state.last_actions
        ],
        "notes": [] if deidentify else [{**n, "wall": _time(n["wall"], start, False)} for n in state.notes],
        "timeline": timeline,
        "journal": {"events": count, "head_hash": events[-1].hash if not deidentify else REMOVED_LINK}
        | ({} if deidentify else {"last_wall": events[-1].wall}),  # the identified PDF's CreationDate
    }
