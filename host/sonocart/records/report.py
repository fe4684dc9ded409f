"""The procedure report as plain data (exported as JSON, and rendered to PDF by :mod:`pdf_report`).

Built only from the verified journal, so the report says what the record holds. The de-identified form
replaces the patient and the record id with fresh random aliases (:class:`Aliases`, new for every export,
so nothing in them leads back to the record), turns clock times into offsets from the start of the record,
leaves out free-text notes (they may name people) and every value that would link it to the identified
record (head hash, capture file hashes, SOP Instance UIDs).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sonocart.journal.store import Event, Journal
from sonocart.procedures.outcomes import percent_relief
from sonocart.procedures.state import State

REPORT_VERSION = 1
#: Fields people type freely; they may name someone, so a de-identified report drops their content.
FREE_TEXT_KEYS = frozenset({"reason", "last_dose", "goal", "label"})
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
    if deidentify:
        seconds = round(wall - start)
        return f"T+{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return dt.datetime.fromtimestamp(wall, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def summarise(ev: Event) -> str:
    """One line per event for the timeline, readable without knowing the event schema."""
    p = ev.payload
    t = ev.type
    if t == "record_opened":
        return f"Record opened for {p['procedure']}"
    if t == "answered":
        return f"{p['step']}: {p['value']}"
    if t == "confirmed":
        side = f" (side stated: {p['side']})" if p.get("side") else ""
        return f"{p['step']} confirmed{side}"
    if t == "step_completed":
        return f"Step done: {p['phase']} / {p['step']}"
    if t in ("hard_stop", "prompt_raised"):
        return str(p.get("message") or p.get("text"))
    if t == "override":
        return f"OVERRIDE of {p['rule']}: {p['reason']}"
    if t == "aliquot_logged":
        mg = ", ".join(f"{d} {v:g} mg" for d, v in p["mg_by_drug"].items())
        rate = f", {p['rate_ml_per_min']:g} mL/min" if p.get("rate_ml_per_min") else ""
        kind = "Test dose" if p.get("test_dose") else "Aliquot"
        flags = "".join(f"; {f}" for f in p.get("flags", ()))
        return (
            f"{kind} {p['volume_ml']:g} mL syringe {p['syringe']} ({mg}{rate}) via {p['via']},"
            f" total {p['fraction_after']:.0%} of max{flags}"
        )
    if t == "aspirated":
        return f"Aspiration {p['result']}"
    if t in ("timer_started", "timer_expired", "timer_cancelled"):
        dur = f" ({float(p['duration_s']):g} s)" if "duration_s" in p else ""
        return f"Timer {p['name']} {t.split('_')[1]}{dur}"
    if t == "prompt_acknowledged":
        return f"Acknowledged {p['id']}" + (" (by the next action)" if p.get("auto") else "")
    if t == "stop_restated":
        return f"STOP side restated (correction): {str(p['was']).upper()} -> {str(p['side']).upper()}"
    if t == "prompt_expired":
        return f"Prompt {p['id']} ended: {p['why']}"
    if t == "escalation_cleared":
        why = ", ".join(p.get("reasons", ()))
        return f"Escalation ({why}) cleared for discharge by {p['clinician']}: {p['reason']}"
    if t == "image_lost":
        return f"IMAGE LOST during needle work: {p['reason']}"
    if t == "image_restored":
        return "Live image back"
    if t == "capture_added":
        return f"Image {p['number']} captured ({p['mm_per_px']:g} mm/px) {p.get('label', '')}".rstrip()
    if t == "input_rejected":
        return f"Rejected {p['input']}: {p['reason']}"
    if t == "last_action":
        return f"LAST: {p['text']}"
    if t == "note":
        return f"Note: {p['text']}"
    # Summaries below leave out dates and paths so a de-identified timeline can use them as they are.
    if t == "follow_up_booked":
        return "Follow-up booked at weeks " + ", ".join(str(w) for w in p["weeks"])
    if t == "discharge_instructions":
        return f"Discharge instructions given ({len(p['instructions'])})"
    if t == "export_written":
        return f"Export written ({len(p['files'])} files{', de-identified' if p['deidentified'] else ''})"
    if t.startswith("pacs_"):
        return t.replace("_", " ") + (f": {p['sop_instance_uid'][-12:]}" if "sop_instance_uid" in p else "")
    return t.replace("_", " ") + (f": {p}" if p else "")


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
    journal: Journal, state: State, deidentify: bool = False, aliases: Aliases | None = None
) -> dict[str, Any]:
    """The report; de-identified with ``aliases`` (fresh ones when not given)."""
    alias = aliases or Aliases.fresh()
    count = journal.verify()
    events = list(journal.events())
    start = events[0].wall
    proc = state.procedure
    if deidentify:
        patient: dict[str, Any] = {"pseudonym": alias.patient}
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
    timeline = [
        {
            "seq": e.seq,
            "time": _time(e.wall, start, deidentify),
            "operator": e.operator,
            "event": e.type,
            "what": summarise(_redacted(e) if deidentify else e),
        }
        for e in events
        if not (deidentify and e.type in ("note", "record_opened"))
    ]
    return {
        "report_version": REPORT_VERSION,
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
        "journal": {"events": count, "head_hash": events[-1].hash if not deidentify else REMOVED_LINK},
    }
