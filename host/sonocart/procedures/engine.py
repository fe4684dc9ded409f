"""The procedure engine: one input API for touch, pedal and scripts; journal, then state, then listeners.

``submit(input)`` decides which events an input causes, commits them to the journal in one transaction and
only then applies them to the in-memory state and tells listeners. If the journal cannot write (read-only or
full disk) it raises :class:`JournalWriteError` and the procedure does not advance. ``tick()`` turns due
timers into journaled expiries. Timers are anchored on wall time in the journal and on the monotonic clock
within a run, so after a restart (:meth:`Engine.resume`) each resumes with its true remaining time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sonocart.clock import Clock
from sonocart.journal.store import Event, Journal
from sonocart.procedures import corrections, escalation, injection, last_mode, overrides, step_inputs
from sonocart.procedures.alarm_rules import classify, image_change
from sonocart.procedures.catalogue import Catalogue, Step
from sonocart.procedures.checks import InputRejected, satisfied
from sonocart.procedures.discharge import discharge_instructions
from sonocart.procedures.expiry import expiry_prompt
from sonocart.procedures.inputs import (
    Acknowledge,
    AcknowledgeTop,
    Answer,
    CaptureAdded,
    ClearEscalation,
    Confirm,
    Correct,
    EndLast,
    FinishInjection,
    ImageLiveness,
    Input,
    LastAction,
    LogAliquot,
    NewNeedle,
    Note,
    Override,
    PedalGesture,
    RecordOutcome,
    StartLast,
    TestDose,
)
from sonocart.procedures.inputs import Aspirate as AspirateInput
from sonocart.procedures.prompts import Prompt, ordered
from sonocart.procedures.state import State
from sonocart.validation.inputs import checked_input
from sonocart.validation.values import Refused

log = logging.getLogger(__name__)
Events = list[tuple[str, dict[str, Any]]]
Listener = Callable[["Engine", list[Event]], None]


class Engine:
    """Not thread-safe: call it from one thread (the UI loop); marshal pedal and serial events onto it."""

    def __init__(self, catalogue: Catalogue, journal: Journal, clock: Clock, state: State) -> None:
        self.catalogue = catalogue
        self.journal = journal
        self.clock = clock
        self.state = state
        self._deadlines: dict[str, float] = {}
        self._listeners: list[Listener] = []
        self._anchor_timers()

    # ---- life cycle --------------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        catalogue: Catalogue,
        journal: Journal,
        clock: Clock,
        procedure_id: str,
        patient: dict[str, Any],
        operator: str,
        record_id: str,
        names: dict[str, str] | None = None,
    ) -> Engine:
        """Open a new record; ``names`` (operator id -> roster name) lets the chart note name people."""
        if next(journal.events(), None) is not None:
            raise ValueError(f"{journal.path} already holds a procedure: resume it instead")
        proc = catalogue.procedure(procedure_id)
        engine = cls(
            catalogue,
            journal,
            clock,
            State(proc, escalate_on=catalogue.last.escalate_on, short_form=catalogue.short_form),
        )
        engine._commit(
            [
                (
                    "record_opened",
                    {"procedure": proc.id, "patient": patient, "record_id": record_id, "names": names or {}},
                )
            ],
            operator,
        )
        return engine

    @classmethod
    def resume(cls, catalogue: Catalogue, journal: Journal, clock: Clock) -> Engine:
        """Rebuild the state by replaying the verified journal; timers pick up their remaining time."""
        journal.verify()
        events = list(journal.events())
        if not events or events[0].type != "record_opened":
            raise ValueError(f"{journal.path} holds no procedure")
        proc = catalogue.procedure(str(events[0].payload["procedure"]))
        state = State(proc, escalate_on=catalogue.last.escalate_on, short_form=catalogue.short_form)
        for ev in events:
            state.apply(ev)
        return cls(catalogue, journal, clock, state)

    def _anchor_timers(self) -> None:
        mono, wall = self.clock.monotonic(), self.clock.wall()
        self._deadlines = {name: mono + (t.due_wall - wall) for name, t in self.state.timers.items()}

    # ---- the one path out: prompts and listeners ----------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        """Called after every commit with the new events; the UI and the status light both listen here."""
        self._listeners.append(listener)

    def active_prompts(self) -> list[Prompt]:
        return ordered(list(self.state.prompts.values()))

    def highest_prompt(self) -> Prompt | None:
        prompts = self.active_prompts()
        return prompts[0] if prompts else None

    def current_step(self) -> Step | None:
        return self.state.current_step()

    def banner(self) -> dict[str, str]:
        """What stays on screen through Prep-Stop-Block and injection: procedure and confirmed side."""
        return {
            "procedure": self.state.procedure.name,
            "side": (self.state.confirmed_side() or "").upper(),
            "side_change": self.state.side_change(),
            "phase": self.state.current_phase_id(),
        }

    def timer_remaining(self, name: str) -> float | None:
        if name not in self._deadlines:
            return None
        return max(0.0, self._deadlines[name] - self.clock.monotonic())

    # ---- input -------------------------------------------------------------------------------------
    def submit(self, inp: Input) -> list[Event]:
        """Act on one input, return its events. Raises InputRejected (journaled) or JournalWriteError.

        A press already acted on returns no events; its redelivery is journaled as ``input_duplicate``.
        """
        try:
            inp = checked_input(inp)  # the validation boundary: exact types, finite, bounded, clean text
        except Refused as exc:
            op = inp.operator
            if (
                isinstance(op, str) and op.strip() and op.strip().isprintable()
            ):  # else nobody to journal it under
                reason = {"input": type(inp).__name__, "reason": str(exc)}
                self._commit([("input_rejected", reason)], op.strip()[:64])
            raise InputRejected(str(exc)) from exc
        self.tick()
        if (
            isinstance(inp, LogAliquot | AcknowledgeTop)
            and inp.press_id
            and inp.press_id in self.state.press_ids
        ):
            # The same pedal press delivered twice: acted on once, and the refusal is on the record.
            first = self.state.press_ids[inp.press_id]
            payload = {"input": type(inp).__name__, "press_id": inp.press_id, "first_seq": first}
            self._commit([("input_duplicate", payload)], inp.operator)
            return []
        try:
            events = classify(self.catalogue, self._decide(inp))
        except InputRejected as exc:
            self._commit(
                [("input_rejected", {"input": type(inp).__name__, "reason": str(exc)})], inp.operator
            )
            raise
        return self._commit(events + self._follow_ups(events, inp.operator), inp.operator)

    def journal_refusal(self, input_name: str, reason: str, operator: str) -> None:
        """A refusal decided at the cart's input boundary (a wrong PIN) is on the record like the engine's."""
        self._commit([("input_rejected", {"input": input_name, "reason": reason})], operator)

    def tick(self) -> list[Event]:
        """Journal the expiry of every due timer (call it often; submit() calls it too)."""
        mono = self.clock.monotonic()
        due = sorted((d, n) for n, d in self._deadlines.items() if d <= mono)
        if not due:
            return []
        events: Events = []
        for _, name in due:
            events.append(("timer_expired", {"name": name}))
            prio, text = expiry_prompt(name)
            events.append(injection.prompt(f"timer:{name}", prio, text))
        events = classify(self.catalogue, events)
        return self._commit(events + self._follow_ups(events, "system"), "system")

    def _commit(self, events: Events, operator: str) -> list[Event]:
        if not events:
            return []
        journaled = self.journal.append_many(events, operator, self.clock.wall())
        for ev in journaled:
            self.state.apply(ev)
            if ev.type == "timer_started":
                remaining = float(ev.payload["started_wall"]) + float(ev.payload["duration_s"]) - ev.wall
                self._deadlines[ev.payload["name"]] = self.clock.monotonic() + remaining
            elif ev.type in ("timer_expired", "timer_cancelled"):
                self._deadlines.pop(ev.payload["name"], None)
        for listener in list(self._listeners):
            try:
                listener(self, journaled)
            except Exception:  # a faulty listener must not make a committed event look lost
                log.exception("procedure listener failed; the events are committed")
        return journaled

    def _follow_ups(self, events: Events, operator: str) -> Events:
        """Step completions (and what entering the next step starts) implied by ``events``."""
        sim = self.state.fork()
        seq = sim.last_seq
        out: Events = []
        pending = list(events)
        while True:
            for type_, payload in pending:
                seq += 1
                sim.apply(Event(seq, self.clock.wall(), operator, type_, payload, ""))
            pending = []
            lapsed = sim.lapsed_prompts()  # prompts end with their condition, step or phase
            if lapsed:
                pending = [("prompt_expired", {"id": i, "why": why}) for i, why in lapsed.items()]
                out += pending
                continue
            if sim.escalated() and escalation.ESCALATED not in sim.prompts:
                pending = classify(self.catalogue, [escalation.escalation_prompt(self.catalogue, sim)])
                out += pending
                continue
            step = sim.current_step()
            if step is None:
                return out
            # A step confirmed too early ("observation time not complete") is held by its own hard
            # stop; once what it waited for has happened, that stop clears by itself (no override).
            resolved = [
                r
                for r in sim.blocking_rules(step.id)
                if r == f"{step.id}_incomplete" and satisfied(sim, step)
            ]
            if resolved:
                pending = [("hard_stop_cleared", {"rule": r}) for r in resolved]
                out += pending
                continue
            # Any active hard stop holds the step the procedure is on, its own or one a corrected
            # earlier answer raised: the team goes on only by an override or by correcting it back.
            if sim.blocking_rules() or not self._step_done(sim, step):
                return out
            pending.append(("step_completed", {"phase": sim.current_phase_id(), "step": step.id}))
            pending += self._on_leave(sim, step)
            sim_next = sim.fork()
            sim_next.apply(Event(seq + 1, self.clock.wall(), "-", "step_completed", {}, ""))
            nxt = sim_next.current_step()
            if nxt is not None:
                pending += self._on_enter(sim_next, nxt)
            out += pending

    def _step_done(self, state: State, step: Step) -> bool:
        return satisfied(state, step) or f"{step.id}_incomplete" in state.overrides

    def _on_enter(self, state: State, step: Step) -> Events:
        now = self.clock.wall()
        proc = state.procedure
        if step.kind == "observation":
            return [
                (
                    "timer_started",
                    {"name": "observation", "duration_s": proc.observation_minutes * 60, "started_wall": now},
                )
            ]
        return []

    def _on_leave(self, state: State, step: Step) -> Events:
        if (
            step.kind == "injection"
            and state.procedure.diagnostic
            and state.injection_finished_wall is not None
        ):
            start = state.injection_finished_wall
            return [
                ("timer_started", {"name": f"post_pain_{m:g}", "duration_s": m * 60, "started_wall": start})
                for m in state.procedure.post_pain_minutes
            ]
        return []

    # ---- decisions ---------------------------------------------------------------------------------
    def _decide(self, inp: Input) -> Events:
        st = self.state
        now = self.clock.wall()
        if isinstance(inp, Answer):
            return step_inputs.answer(self.catalogue, st, inp)
        if isinstance(inp, Confirm):
            return step_inputs.confirm(self.catalogue, st, inp, now)
        if isinstance(inp, Override):
            return overrides.override(self.catalogue, st, inp)
        if isinstance(inp, Correct):
            corrected, events = corrections.correct(self.catalogue, st, inp.step, inp.value, inp.reason)
            return events + step_inputs.rejudged(self.catalogue, st, corrected, events)
        if isinstance(inp, Acknowledge):
            prompt = st.prompts.get(inp.prompt_id)
            if prompt is None:
                raise InputRejected("that prompt is no longer active")
            if prompt.blocking:
                raise InputRejected("a hard stop is passed by a documented override or a corrected answer")
            if prompt.acknowledged:
                raise InputRejected("already acknowledged: it stays shown while its condition lasts")
            return [("prompt_acknowledged", {"id": inp.prompt_id})]
        if isinstance(inp, AcknowledgeTop):
            top = next((p for p in self.active_prompts() if not (p.blocking or p.acknowledged)), None)
            if top is None:
                raise InputRejected("no prompt to acknowledge")
            return [("prompt_acknowledged", {"id": top.id, "press_id": inp.press_id})]
        if isinstance(inp, AspirateInput):
            events = injection.aspirate(self.catalogue, st, inp.result, inp.planned_ml)
            return events + self._auto_ack([f"timer:{injection.PAUSE_TIMER}"])
        if isinstance(inp, LogAliquot | TestDose):
            done = self._auto_ack(["dose_will_exceed", "dose_will_approach"])  # given: the warning was had
            return done + injection.log_aliquot(
                self.catalogue,
                st,
                inp.volume_ml,
                inp.syringe,
                getattr(inp, "via", "touch"),
                getattr(inp, "press_id", None),
                now,
                self.timer_remaining(injection.PAUSE_TIMER) not in (None, 0.0),
                test_dose=isinstance(inp, TestDose),
            )
        if isinstance(inp, NewNeedle):
            if not st.stop_ok():
                raise InputRejected("no needle in place")
            return [("needle_withdrawn", {"needle": st.needle_count})]
        if isinstance(inp, FinishInjection):
            last = self.catalogue.last
            return injection.finish(st, now, last.onset_min[1] * 60, last.tail_min * 60)
        if isinstance(inp, CaptureAdded):
            return [("capture_added", dict(inp.capture))]
        if isinstance(inp, Note):
            if not inp.text.strip():
                raise InputRejected("empty note")
            return [("note", {"text": inp.text})]
        if isinstance(inp, PedalGesture):
            return [("pedal_gesture", _pedal_payload(inp))]
        if isinstance(inp, RecordOutcome):
            return self._outcome(inp)
        if isinstance(inp, ClearEscalation):
            return escalation.clear(st, inp)
        if isinstance(inp, ImageLiveness):
            step = st.current_step()
            needle_work = step is not None and step.kind == "injection"
            return image_change(inp.live, inp.reason, needle_work, st.image_lost)
        if isinstance(inp, StartLast | LastAction | EndLast):
            return last_mode.decide(self.catalogue, st, inp, now)
        raise InputRejected(f"unknown input {type(inp).__name__}")

    def _auto_ack(self, ids: list[str]) -> Events:
        return [("prompt_acknowledged", {"id": i, "auto": True}) for i in ids if i in self.state.prompts]

    def _outcome(self, inp: RecordOutcome) -> Events:
        if not 0 <= inp.value <= 10 and inp.measure.startswith("pain"):
            raise InputRejected("pain NRS is 0-10")
        payload: dict[str, Any] = {"measure": inp.measure, "value": float(inp.value)}
        ids: list[str] = []
        if inp.minutes_after is not None:
            payload["minutes_after"] = inp.minutes_after
            ids.append(f"timer:post_pain_{inp.minutes_after:g}")
        return [("outcome_recorded", payload), *self._auto_ack(ids)]

    def discharge_instructions(self) -> list[str]:
        return discharge_instructions(self.catalogue, self.state)


def _pedal_payload(inp: PedalGesture) -> dict[str, str]:
    if inp.outcome not in PEDAL_OUTCOMES:
        raise InputRejected(f"unknown pedal outcome {inp.outcome!r}")
    return {
        "pedal": inp.pedal,
        "gesture": inp.gesture,
        "press_id": inp.press_id,
        "action": inp.action,
        "outcome": inp.outcome,
        "detail": inp.detail,
    }


#: What the cart did with a pedal gesture (see :class:`~sonocart.procedures.inputs.PedalGesture`).
PEDAL_OUTCOMES = frozenset({"done", "refused", "locked"})
