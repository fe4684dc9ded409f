"""The procedure state as a fold over journaled events: replaying the journal rebuilds it exactly.

Only :meth:`State.apply` changes state, and it only ever sees events already committed to the journal, so
what the screen shows is never ahead of what the disk holds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sonocart.journal.store import Event
from sonocart.procedures.prompts import Priority, Prompt
from sonocart.procedures.state_base import Aliquot, StateBase, Timer

__all__ = ["Aliquot", "State", "Timer"]


class State(StateBase):
    """The state as a fold: :meth:`apply` one committed journal event at a time (replay rebuilds it)."""

    # ---- the fold ------------------------------------------------------------------------------------
    def apply(self, ev: Event) -> None:
        self.last_seq = ev.seq
        p = ev.payload
        handler = getattr(self, f"_on_{ev.type}", None)
        if handler is not None:
            handler(ev, p)

    def _on_record_opened(self, ev: Event, p: dict[str, Any]) -> None:
        self.patient = dict(p.get("patient", {}))
        self.record_id = str(p.get("record_id", ""))
        self.names = {str(k): str(v) for k, v in p.get("names", {}).items()}
        self.opened_wall = ev.wall

    def _on_answered(self, ev: Event, p: dict[str, Any]) -> None:
        self.answers[p["step"]] = p["value"]

    def _on_answer_corrected(self, ev: Event, p: dict[str, Any]) -> None:
        self.answers[p["step"]] = p["new"]
        self.corrections.append({**p, "operator": ev.operator, "wall": ev.wall})

    def _on_dose_limits(self, ev: Event, p: dict[str, Any]) -> None:
        self.dose_limits = dict(p)

    def _on_dose_recomputed(self, ev: Event, p: dict[str, Any]) -> None:
        self.dose_fraction = float(p["fraction_after"])

    def _on_confirmed(self, ev: Event, p: dict[str, Any]) -> None:
        who = self.confirmations.setdefault(p["step"], [])
        if ev.operator not in who:
            who.append(ev.operator)
        if p.get("side") is not None:
            self._state_side(p["step"], ev.operator, str(p["side"]))

    def _state_side(self, step: str, person: str, side: str) -> None:
        answers = self.stop_answers.setdefault(step, {})
        answers[person] = side
        self.stated_sides[step] = list(answers.values())

    def _on_stop_restated(self, ev: Event, p: dict[str, Any]) -> None:
        self._state_side(p["step"], ev.operator, str(p["side"]))

    def _on_step_completed(self, ev: Event, p: dict[str, Any]) -> None:
        phase = self.procedure.phases[self.phase_index]
        if self.step_index + 1 < len(phase.steps):
            self.step_index += 1
        elif self.phase_index + 1 < len(self.procedure.phases):
            self.phase_index += 1
            self.step_index = 0
        else:
            self.completed = True

    def _on_hard_stop(self, ev: Event, p: dict[str, Any]) -> None:
        self.hard_stops[p["rule"]] = {"step": p.get("step"), "message": p["message"], "seq": ev.seq}
        prio = Priority[str(p.get("priority", "HIGH"))]
        self._raise(ev, f"hard_stop:{p['rule']}", prio, p["message"], blocking=True)

    def _on_hard_stop_cleared(self, ev: Event, p: dict[str, Any]) -> None:
        self.hard_stops.pop(p["rule"], None)
        self.prompts.pop(f"hard_stop:{p['rule']}", None)

    def _on_override(self, ev: Event, p: dict[str, Any]) -> None:
        self.hard_stops.pop(p["rule"], None)
        self.prompts.pop(f"hard_stop:{p['rule']}", None)
        self.overrides[p["rule"]] = {**p, "operator": ev.operator, "wall": ev.wall}

    def _raise(
        self,
        ev: Event,
        pid: str,
        prio: Priority,
        text: str,
        blocking: bool = False,
        p: dict[str, Any] | None = None,
    ) -> None:
        step = self.current_step()
        self.prompts[pid] = Prompt(
            pid,
            prio,
            text,
            ev.wall,
            ev.seq,
            blocking,
            holds_while=str((p or {}).get("holds_while", "")),
            expires=str((p or {}).get("expires", "")),
            phase=self.current_phase_id(),
            step=step.id if step else "",
            short=self.short_form(pid),
        )

    def _on_prompt_raised(self, ev: Event, p: dict[str, Any]) -> None:
        self._raise(ev, p["id"], Priority[p["priority"]], p["text"], p=p)

    def _on_prompt_acknowledged(self, ev: Event, p: dict[str, Any]) -> None:
        prompt = self.prompts.pop(p["id"], None)
        if prompt is not None and prompt.holds_while and self.condition(prompt.holds_while):
            self.prompts[prompt.id] = replace(prompt, acknowledged=True)  # silenced, still shown
        if p.get("press_id"):
            self.press_ids[str(p["press_id"])] = ev.seq

    def _on_prompt_expired(self, ev: Event, p: dict[str, Any]) -> None:
        self.prompts.pop(p["id"], None)

    def _on_timer_started(self, ev: Event, p: dict[str, Any]) -> None:
        self.timers[p["name"]] = Timer(p["name"], float(p["started_wall"]), float(p["duration_s"]))
        self.expired.discard(p["name"])

    def _on_timer_expired(self, ev: Event, p: dict[str, Any]) -> None:
        self.timers.pop(p["name"], None)
        self.expired.add(p["name"])

    def _on_timer_cancelled(self, ev: Event, p: dict[str, Any]) -> None:
        self.timers.pop(p["name"], None)

    def _on_needle_withdrawn(self, ev: Event, p: dict[str, Any]) -> None:
        stop = self.stop_step()
        if stop is not None:
            self.confirmations.pop(stop.id, None)
            self.stated_sides.pop(stop.id, None)
            self.stop_answers.pop(stop.id, None)
        self.needle_count += 1
        self.aspirated_negative_wall = None
        self.blood_aspirated = False

    def _on_aspirated(self, ev: Event, p: dict[str, Any]) -> None:
        self.aspirated_negative_wall = ev.wall if p["result"] == "negative" else None
        self.blood_aspirated = p["result"] == "positive"
        self.positive_aspirations += p["result"] == "positive"

    def _on_image_lost(self, ev: Event, p: dict[str, Any]) -> None:
        self.image_lost = True

    def _on_image_restored(self, ev: Event, p: dict[str, Any]) -> None:
        self.image_lost = False

    def _on_aliquot_logged(self, ev: Event, p: dict[str, Any]) -> None:
        self.aliquots.append(
            Aliquot(
                ev.seq,
                ev.wall,
                p["syringe"],
                float(p["volume_ml"]),
                dict(p["mg_by_drug"]),
                float(p["fraction_after"]),
                p.get("rate_ml_per_min"),
                p.get("via", "touch"),
                ev.operator,
                bool(p.get("over_limit", False)),
                tuple(p.get("flags", ())),
            )
        )
        for drug, mg in p["mg_by_drug"].items():
            self.mg_by_drug[drug] = self.mg_by_drug.get(drug, 0.0) + float(mg)
        self.dose_fraction = float(p["fraction_after"])
        self.aspirated_negative_wall = None
        if p.get("press_id"):
            self.press_ids[str(p["press_id"])] = ev.seq
        if p.get("test_dose"):
            self.test_doses += 1

    def _on_injection_finished(self, ev: Event, p: dict[str, Any]) -> None:
        self.injection_finished_wall = ev.wall

    def _on_capture_added(self, ev: Event, p: dict[str, Any]) -> None:
        self.captures.append({**p, "seq": ev.seq, "wall": ev.wall, "operator": ev.operator})

    def _on_outcome_recorded(self, ev: Event, p: dict[str, Any]) -> None:
        if p.get("step"):  # a step's outcome answered again (a correction) replaces its first value
            self.outcomes = [o for o in self.outcomes if o.get("step") != p["step"]]
        self.outcomes.append({**p, "wall": ev.wall, "operator": ev.operator})

    def _on_note(self, ev: Event, p: dict[str, Any]) -> None:
        self.notes.append({"text": p["text"], "wall": ev.wall, "operator": ev.operator})

    def _on_last_started(self, ev: Event, p: dict[str, Any]) -> None:
        self.last_active = True
        self.last_used = True

    def _on_escalation_cleared(self, ev: Event, p: dict[str, Any]) -> None:
        self.escalation_cleared = {**p, "operator": ev.operator, "wall": ev.wall}

    def _on_last_action(self, ev: Event, p: dict[str, Any]) -> None:
        self.last_actions.append({**p, "wall": ev.wall, "operator": ev.operator})

    def _on_last_ended(self, ev: Event, p: dict[str, Any]) -> None:
        self.last_active = False

    def _on_follow_up_booked(self, ev: Event, p: dict[str, Any]) -> None:
        self.follow_up = list(p["dates"])
        self.follow_up_weeks = [int(w) for w in p["weeks"]]

    def _on_discharge_instructions(self, ev: Event, p: dict[str, Any]) -> None:
        self.discharge_given = list(p["instructions"])
