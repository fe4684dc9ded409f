"""The one-page clinical summary that opens the chart note: what a clinician reads before the audit trail.

Built from the procedure state (itself a fold of the verified journal) as lines of plain words (see
:mod:`chart_words`). Times are local with their UTC offset; a de-identified summary has offsets from the
start instead, weeks instead of follow-up dates, roles instead of staff names and no free text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sonocart.procedures.outcomes import percent_relief
from sonocart.procedures.patient import identifiers_line
from sonocart.procedures.state import State
from sonocart.records.chart_words import Words, rule_words

REMOVED = "[free text removed]"
VITALS_BEFORE = ("hr_before", "sbp_before", "spo2_before")
VITALS_AFTER = ("hr_after", "sbp_after", "spo2_after")
VITAL_NAMES = ("heart rate", "systolic blood pressure", "SpO2")
#: Answers the summary names one per line (in this order), where the procedure has the step.
CHECK_ANSWERS = (
    "needle",
    "approach",
    "block_assessment",
    "fasting",
    "pregnancy",
    "anticoagulant_last_dose_h",
    "allergies",
)
NOT_RECORDED = "not recorded at the cart"


def local_time(wall: float, seconds: bool = False) -> str:
    """The cart's local wall time with its UTC offset, e.g. "01 Dec 2026 14:05 (UTC+01:00)"."""
    t = dt.datetime.fromtimestamp(wall, tz=dt.UTC).astimezone()
    offset = t.strftime("%z")
    return f"{t:%d %b %Y %H:%M{':%S' if seconds else ''}} (UTC{offset[:3]}:{offset[3:]})"


def offset_time(wall: float, start: float) -> str:
    seconds = round(wall - start)
    return f"T+{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def staff_names(state: State, deidentify: bool) -> dict[str, str]:
    """Operator id -> what the chart note calls them: the roster name, or a role when de-identified."""
    if not deidentify:
        return dict(state.names)
    people = list(dict.fromkeys([*state.team(), *state.names]))
    return {p: f"team member {i}" for i, p in enumerate(people, 1)}


class Summary:
    def __init__(self, state: State, words: Words, start: float, deidentify: bool, banner: str) -> None:
        self.st, self.w, self.start, self.deid, self.banner = state, words, start, deidentify, banner

    def when(self, wall: float) -> str:
        return offset_time(wall, self.start) if self.deid else local_time(wall)

    def free(self, text: str) -> str:
        return REMOVED if self.deid and text else text

    def build(self) -> dict[str, Any]:
        st, w = self.st, self.w
        side = (st.confirmed_side() or "not stated").upper()
        return {
            "banner": self.banner,
            "procedure": st.procedure.name,
            "side": side + (f" ({st.side_change()})" if st.side_change() else ""),
            "indication": w.answer("indication", st.answers["indication"]).split(": ", 1)[-1]
            if "indication" in st.answers
            else NOT_RECORDED,
            "opened": self.when(st.opened_wall),
            "status": "completed" if st.completed else f"in progress ({w.step_name(_current(st))})",
            "team": self.team(),
            "checks": self.checks(),
            "drugs": self.drugs(),
            "dose_total": f"{st.dose_fraction:.0%} of the maximum"
            + (f" for {float(st.answers['weight_kg']):g} kg" if "weight_kg" in st.answers else ""),
            "images": [self.image(c) for c in st.captures],
            "overrides": [self.override(rule, o) for rule, o in st.overrides.items()],
            "active_hard_stops": [rule_words(r) for r in st.hard_stops],
            "complications": self.complications(),
            "corrections": [
                f"{self.when(c['wall'])} {w.person(c['operator'])}: {w.answer(c['step'], c['old'])} -> "
                f"{w.answer(c['step'], c['new'])} ({self.free(c['reason'])})"
                for c in st.corrections
            ],
            "outcomes": self.outcomes(),
            "discharge": list(st.discharge_given),
            "follow_up": self.follow_up(),
            "escalation": self.escalation(),
            "signature": self.signature(),
        }

    def team(self) -> list[str]:
        """Each registered member with what the record shows they did."""
        st, w = self.st, self.w
        stop = st.stop_step()
        confirm_steps = [s.id for ph in st.procedure.phases for s in ph.steps if s.kind == "team_confirm"]
        roles = {
            "performed the injection": {a.operator for a in st.aliquots},
            "STOP side check": set(st.confirmations.get(stop.id, [])) if stop else set(),
            "second operator for an override": {str(o.get("second_operator")) for o in st.overrides.values()},
            "confirmed the time-out with their PIN": {
                p for s in confirm_steps for p in st.confirmations.get(s, [])
            },
        }
        out = [
            f"{w.person(m)}: {', '.join(r for r, who in roles.items() if m in who) or 'team member'}"
            for m in st.team()
        ]
        return out or ["team not registered"]

    def checks(self) -> list[str]:
        """Vitals before and after, needle and approach, block assessment and the sign-in facts, in words."""
        a, w = self.st.answers, self.w
        out = []
        for when, ids in (("Before", VITALS_BEFORE), ("After", VITALS_AFTER)):
            said = [
                f"{name} {float(a[i]):g} {w.steps[i].unit}"
                for name, i in zip(VITAL_NAMES, ids, strict=True)
                if i in a
            ]
            if said:
                out.append(f"{when}: {', '.join(said)}")
        out += [w.answer(i, a[i]) for i in CHECK_ANSWERS if i in a]
        return out

    def drugs(self) -> list[str]:
        st = self.st
        given: dict[str, float] = {}
        for a in st.aliquots:
            given[a.syringe] = given.get(a.syringe, 0.0) + a.volume_ml
        out = []
        for d in st.dose_limits.get("drugs", ()):
            ml = given.get(str(d["syringe"]), 0.0)
            strength = ""
            if d.get("mg_per_ml") is not None:
                per_ml = float(d["mg_per_ml"])
                pct = f"{per_ml / 10:g} %, " if d.get("max_mg") is not None else ""
                strength = f" {pct}{per_ml:g} mg/mL"
            epi = " with epinephrine" if d.get("epinephrine") else ""
            line = f"Syringe {d['syringe']}: {d['name']}{strength}{epi}: {ml:g} mL given"
            if d.get("mg_per_ml") is not None:
                mg = ml * float(d["mg_per_ml"])
                line += f" = {mg:g} mg"
                if d.get("max_mg"):
                    line += f", {mg / float(d['max_mg']):.0%} of the {float(d['max_mg']):g} mg maximum"
            out.append(line)
        return out or ["No drugs recorded"]

    def image(self, capture: dict[str, Any]) -> str:
        side = (self.st.confirmed_side() or "not stated").upper()
        label = f" ({self.free(str(capture['label']))})" if capture.get("label") else ""
        return (
            f"Image {capture['number']}{label}: side {side}; orientation mark top left = probe marker side,"
            f" skin at the top; captured {self.when(float(capture['wall']))}"
        )

    def override(self, rule: str, o: dict[str, Any]) -> str:
        w = self.w
        second = f" and {w.person(str(o['second_operator']))}" if o.get("second_operator") else ""
        return (
            f"{self.when(float(o['wall']))} {rule_words(rule)}: overridden by {w.person(str(o['operator']))}"
            f"{second}; reason: {self.free(str(o['reason']))}"
        )

    def complications(self) -> str:
        value = self.st.answers.get("complications")
        if value is None:
            return "not yet recorded"
        step = self.w.steps.get("complications")
        names = [step.option_name(str(c)) if step else str(c) for c in value]
        return ", ".join(names)

    def outcomes(self) -> list[str]:
        st, out = self.st, []
        baseline = next((o["value"] for o in st.outcomes if o["measure"] == "pain_nrs"), None)
        if baseline is not None:
            out.append(f"Pain before: NRS {float(baseline):g} of 10")
        for o in st.outcomes:
            if o["measure"] == "pain_nrs_post":
                at = (
                    f" {float(o['minutes_after']):g} min after"
                    if o.get("minutes_after") is not None
                    else " after"
                )
                line = f"Pain{at}: NRS {float(o['value']):g} of 10"
                relief = percent_relief(float(baseline), float(o["value"])) if baseline is not None else None
                out.append(line + (f" ({relief:g} % relief)" if relief is not None else ""))
            elif o["measure"] == "function":
                out.append(self.w.answer(str(o.get("step", "baseline_function")), o["value"]))
        return out or ["none recorded"]

    def follow_up(self) -> str:
        st = self.st
        if self.deid:
            return ", ".join(f"week {w}" for w in st.follow_up_weeks) or "not booked"
        days = [dt.date.fromisoformat(d).strftime("%a %d %b %Y") for d in st.follow_up]
        return ", ".join(days) or "not booked"

    def escalation(self) -> str:
        st = self.st
        reasons = st.escalation_reasons()
        if not reasons:
            return ""
        if st.escalation_cleared is None:
            return f"ESCALATED ({', '.join(reasons)}): not cleared for discharge"
        c = st.escalation_cleared
        who = "a named clinician" if self.deid else str(c["clinician"])
        return (
            f"Escalated ({', '.join(reasons)}); cleared for discharge by {who}: {self.free(str(c['reason']))}"
        )

    def signature(self) -> list[str]:
        performer = next((a.operator for a in self.st.aliquots), "") or next(iter(self.st.team()), "")
        return [
            f"Performed by: {self.w.person(performer) if performer else NOT_RECORDED}",
            "Signature: ______________________________    Date and time: ____________________",
        ]


def _current(st: State) -> str:
    step = st.current_step()
    return step.id if step else ""


def summary(state: State, words: Words, start: float, deidentify: bool, pseudonym: str) -> dict[str, Any]:
    banner = f"Patient {pseudonym} (de-identified)" if deidentify else identifiers_line(state.patient)
    return Summary(state, words, start, deidentify, banner).build()
