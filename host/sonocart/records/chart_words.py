"""The record in human words: answers and journal events as a clinician reads them in the chart note.

No enum names, step or rule ids, JSON, ``None``, DICOM carets or file paths: a yes/no answer says what it
means (the catalogue's ``said_yes``/``said_no``), an option its name, a person their roster name, a step
its own text. Times are written by the caller (local time with the UTC offset, or offsets when
de-identified), so these lines carry no dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sonocart.journal.store import Event
from sonocart.procedures.catalogue import Catalogue, Procedure, Step
from sonocart.procedures.expiry import timer_name
from sonocart.procedures.pedal_words import PEDAL_ACTION_WORDS, PEDAL_GESTURE_WORDS, PEDAL_OUTCOME_WORDS

#: Hard-stop rule ids as the chart note names them.
RULES = {
    "consent_not_valid": "consent not valid",
    "infection_at_site": "infection at the site",
    "sedation_without_escort": "sedation without an escort",
    "monitoring_or_iv_missing": "monitoring or IV access missing",
    "lipid_or_resus_kit_missing": "lipid emulsion or resuscitation kit missing",
    "anticoagulant_not_held": "anticoagulant not held",
    "anticoagulant_hold_too_short": "last anticoagulant dose too recent for its hold time",
    "side_not_confirmed": "side not matching the consent",
    "allergy_conflict": "allergy conflicting with a drawn drug",
    "dose_above_limit": "local anaesthetic dose over the maximum",
}
MEASURES = {"pain_nrs": "pain (NRS 0-10)", "pain_nrs_post": "pain after (NRS 0-10)", "function": "function"}
FIELD_NAMES = {"test": "test", "value": "value", "goal": "goal", "drug": "drug", "held": "held"}


def _duration(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 60 else f"{seconds / 60:g} min"


def rule_words(rule: str) -> str:
    if rule in RULES:
        return RULES[rule]
    if rule.endswith("_incomplete"):
        return f"{rule.removesuffix('_incomplete').replace('_', ' ')} not complete"
    return rule.replace("_", " ")


class Words:
    """Wording for one record: its procedure's steps and the names of the people on it."""

    def __init__(
        self,
        procedure: Procedure,
        names: dict[str, str],
        drug_names: dict[str, str],
        catalogue: Catalogue | None = None,
    ) -> None:
        self.procedure = procedure
        self.names = names
        self.drug_names = drug_names
        #: the catalogue's names of allergies and antithrombotics (the record keeps their ids)
        self.allergy_names = {a: al.name for a, al in (catalogue.allergies if catalogue else {}).items()}
        self.antithrombotic_names = {
            d: at.name for d, at in (catalogue.antithrombotics if catalogue else {}).items()
        }
        self.steps: dict[str, Step] = {s.id: s for ph in procedure.phases for s in ph.steps}

    def person(self, operator: str) -> str:
        if operator == "system":
            return "the cart"
        return self.names.get(operator, operator.replace("_", " "))

    def drug(self, drug: str) -> str:
        return self.drug_names.get(drug, drug.replace("_", " "))

    def step_name(self, step_id: str) -> str:
        step = self.steps.get(step_id)
        if step is None:
            return step_id.replace("_", " ")
        return step.name  # the catalogue's title, else its text's first clause, whole (as the screen says it)

    def answer(self, step_id: str, value: Any) -> str:
        """An answer as words: "No prior reaction to a previous injection", "Weight 72 kg"..."""
        step = self.steps.get(step_id)
        if step is None:
            return f"{self.step_name(step_id)}: {self.value(value)}"
        if step.kind == "yesno" and isinstance(value, bool):
            return step.yes_no_words(value)
        if step.kind == "side":
            return f"{self.step_name(step_id)}: {str(value).upper()}"
        if step.kind == "choice":
            chosen = value if isinstance(value, list) else [value]
            return f"{self.step_name(step_id)}: {', '.join(step.option_name(str(c)) for c in chosen)}"
        if step.kind == "team":
            return "Team: " + ", ".join(self.person(str(m)) for m in value)
        if step.kind == "allergies":
            said = (self.allergy_names.get(str(a), str(a).replace("_", " ")) for a in value)
            return "Allergies: " + (", ".join(said) or "none known")
        if step.kind == "antithrombotics":
            return "Anticoagulants and antiplatelets: " + (self._antithrombotics(value) or "none taken")
        if step.kind == "medications":
            return "Drawn: " + "; ".join(self.syringe(s) for s in value)
        if step.kind in ("number", "outcome") and isinstance(value, int | float):
            unit = f" {step.unit}" if step.unit else ""
            return f"{self.step_name(step_id)}: {value:g}{unit}"
        if isinstance(value, dict) and "test" in value:
            test = next((t for t in step.tests if t.id == value["test"]), None)
            name, unit = (test.name, test.unit) if test else (str(value["test"]), "")
            return f"{self.step_name(step_id)}: {name} {float(value['value']):g} {unit}".rstrip()
        return f"{self.step_name(step_id)}: {self.value(value)}"

    def _antithrombotics(self, items: list[dict[str, Any]]) -> str:
        out = []
        for item in items:
            held = "held" if item.get("held") else "NOT held"
            last = f", last dose {item['last_dose']}" if item.get("last_dose") else ""
            drug = str(item["drug"])
            out.append(f"{self.antithrombotic_names.get(drug, drug.replace('_', ' '))} ({held}{last})")
        return ", ".join(out)

    def syringe(self, syringe: dict[str, Any]) -> str:
        parts = []
        for part in syringe.get("contents", ()):
            strength = ""
            if "percent" in part:
                strength = f" {float(part['percent']):g} %"
            elif "mg_per_ml" in part:
                strength = f" {float(part['mg_per_ml']):g} mg/mL"
            epi = " with epinephrine" if part.get("epinephrine") else ""
            parts.append(f"{self.drug(str(part['drug']))}{strength}{epi}")
        vol = f", {float(syringe['volume_ml']):g} mL" if syringe.get("volume_ml") else ""
        return f"syringe {syringe['id']}: {' + '.join(parts)}{vol}"

    def value(self, value: Any) -> str:
        """Any stored value without JSON, None or underscores."""
        if value is None:
            return "not recorded"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return f"{value:g}"
        if isinstance(value, list):
            return ", ".join(self.value(v) for v in value) or "none"
        if isinstance(value, dict):
            return ", ".join(
                f"{FIELD_NAMES.get(k, k.replace('_', ' '))} {self.value(v)}" for k, v in value.items()
            )
        return str(value).replace("_", " ").replace("^", ", ")

    def event(self, ev: Event) -> str:
        """One journal event as one line of the audit appendix."""
        p, t = ev.payload, ev.type
        if t == "record_opened":
            return f"Record opened: {self.procedure.name}"
        if t == "answered":
            return self.answer(str(p["step"]), p["value"])
        if t == "answer_corrected":
            was, now = self.answer(p["step"], p["old"]), self.answer(p["step"], p["new"])
            return f"CORRECTED by {self.person(ev.operator)}: {was} -> {now} (reason: {p['reason']})"
        if t == "confirmed":
            side = f", side stated {str(p['side']).upper()}" if p.get("side") else ""
            return f"Confirmed by {self.person(ev.operator)}: {self.step_name(str(p['step']))}{side}"
        if t == "stop_restated":
            return f"STOP side restated (correction): {str(p['was']).upper()} -> {str(p['side']).upper()}"
        if t == "step_completed":
            return f"Step done: {self.step_name(str(p['step']))}"
        if t in ("hard_stop", "prompt_raised"):
            return str(p.get("message") or p.get("text"))
        if t == "hard_stop_cleared":
            return f"Hard stop cleared: {rule_words(str(p['rule']))}"
        if t == "override":
            second = f" with {self.person(p['second_operator'])}" if p.get("second_operator") else ""
            who = f"{self.person(ev.operator)}{second}"
            return f"OVERRIDE of {rule_words(str(p['rule']))} by {who}: {p['reason']}"
        if t == "aliquot_logged":
            mg = ", ".join(f"{self.drug(d)} {float(v):g} mg" for d, v in p["mg_by_drug"].items())
            kind = "Test dose" if p.get("test_dose") else "Aliquot"
            flags = "".join(f"; {f}" for f in p.get("flags", ()))
            via = "pedal" if p.get("via") == "pedal" else "touch"
            return (
                f"{kind} {float(p['volume_ml']):g} mL from syringe {p['syringe']}"
                f" ({mg or 'no local anaesthetic'}), logged by {via};"
                f" total {float(p['fraction_after']):.0%} of the maximum{flags}"
            )
        if t == "aspirated":
            return {"negative": "Aspiration negative", "positive": "Aspiration POSITIVE (blood or CSF)"}.get(
                str(p["result"]), f"Aspiration {p['result']}"
            )
        if t == "dose_limits":
            lims = [f"{d['name']} max {float(d['max_mg']):g} mg" for d in p["drugs"] if d.get("max_mg")]
            return (
                f"Dose maxima for {float(p['weight_kg']):g} kg: {', '.join(lims) or 'no local anaesthetic'}"
            )
        if t == "dose_recomputed":
            before, after = float(p["fraction_before"]), float(p["fraction_after"])
            return f"Dose given recomputed: {before:.0%} -> {after:.0%} of the maximum"
        if t in ("timer_started", "timer_expired", "timer_cancelled"):
            name = timer_name(str(p["name"]))
            dur = f" ({_duration(float(p['duration_s']))})" if "duration_s" in p else ""
            return f"Timer {name} {t.split('_')[1]}{dur}"
        if t == "prompt_acknowledged":
            how = " (by the next action)" if p.get("auto") else ""
            return f"Acknowledged by {self.person(ev.operator)}{how}: {self._prompt_name(str(p['id']))}"
        if t == "prompt_expired":
            return f"Prompt ended ({str(p['why']).replace('_', ' ')}): {self._prompt_name(str(p['id']))}"
        if t == "escalation_cleared":
            why = ", ".join(p.get("reasons", ()))
            return f"Escalation ({why}) cleared for discharge by {p['clinician']}: {p['reason']}"
        if t == "image_lost":
            return f"IMAGE LOST during needle work: {p['reason']}"
        if t == "image_restored":
            return "Live image back"
        if t == "capture_added":
            label = f": {p['label']}" if p.get("label") else ""
            return f"Image {p['number']} captured{label}"
        if t == "input_rejected":
            return f"Refused: {p['reason']}"
        if t == "input_duplicate":
            return "A pedal press delivered twice: acted on once"
        if t == "last_action":
            return f"LAST: {p['text']}"
        if t == "note":
            return f"Note: {p['text']}"
        if t == "outcome_recorded":
            if p.get("step"):
                return f"Outcome recorded: {self.answer(str(p['step']), p['value'])}"
            at = f" {float(p['minutes_after']):g} min after" if p.get("minutes_after") is not None else ""
            name = MEASURES.get(str(p["measure"]), str(p["measure"]).replace("_", " "))
            return f"Outcome recorded: {name}{at}: {self.value(p['value'])}"
        if t == "follow_up_booked":
            return "Follow-up booked at weeks " + ", ".join(str(w) for w in p["weeks"])
        if t == "discharge_instructions":
            return f"Discharge instructions given ({len(p['instructions'])})"
        if t == "export_written":
            return f"Export written ({len(p['files'])} files{', de-identified' if p['deidentified'] else ''})"
        if t == "pedal_gesture":
            return self._pedal(p)
        if t.startswith("pacs_"):
            return "PACS: " + t.removeprefix("pacs_").replace("_", " ")
        return t.replace("_", " ").capitalize()

    @staticmethod
    def _pedal(p: Mapping[str, Any]) -> str:
        """A pedal gesture in the core's words: "Pedal B held: ack / confirm (done)"."""
        gesture, action, outcome = str(p["gesture"]), str(p["action"]), str(p["outcome"])
        said = PEDAL_GESTURE_WORDS.get(gesture, gesture)
        does = PEDAL_ACTION_WORDS.get(action, action.replace("_", " "))
        how = PEDAL_OUTCOME_WORDS.get(outcome, outcome)
        return f"Pedal {p['pedal']} {said}: {does} ({how})"

    def _prompt_name(self, pid: str) -> str:
        kind, _, rest = pid.partition(":")
        if kind == "hard_stop":
            return rule_words(rest)
        if kind == "timer":
            return f"timer {timer_name(rest)}"
        return pid.split(":")[0].replace("_", " ")
