"""The procedure session: the open record, who is operating, and the one way inputs reach the engine.

Nothing calls the engine directly: screens, pedals and scripts ask this object, which stamps the
operator's id on every input, turns a rejection into a visible message (the engine has already journaled
it) and emits what changed on the cart's event stream.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sonocart.cart.events import CartEvent, Feedback, RecordClosed, RecordOpened
from sonocart.cart.pin_guard import PinGuard
from sonocart.cart.settings import UiSettings
from sonocart.clock import Clock
from sonocart.journal.store import Event, JournalError
from sonocart.procedures.catalogue import Catalogue, Step
from sonocart.procedures.checks import InputRejected
from sonocart.procedures.dose_panel import InjectionPanel, injection_panel
from sonocart.procedures.engine import Engine
from sonocart.procedures.holds import STILL_HELD, held_line
from sonocart.procedures.inputs import (
    Acknowledge,
    Aspirate,
    ClearEscalation,
    Confirm,
    Input,
    LogAliquot,
    Override,
)
from sonocart.procedures.patient import banner_line, birth_date_iso
from sonocart.procedures.prompts import Prompt
from sonocart.records.record import ProcedureRecord


class CartSession:
    def __init__(
        self,
        catalogue: Catalogue,
        records_root: Path,
        clock: Clock,
        settings: UiSettings,
        settings_path: Path | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.records_root = records_root
        self.clock = clock
        self.settings = settings
        self.settings_path = settings_path
        self.record: ProcedureRecord | None = None
        self.operator = ""
        self.version = 0  # bumped on every engine commit and session change
        self.feedback: Feedback | None = None
        self.prefill: dict[str, Any] = {}
        self.aliquot_ml = settings.aliquot_ml  # the volume the next logged aliquot records
        self._listeners: list[Callable[[list[Event]], None]] = []
        self._emit: Callable[[CartEvent], None] = lambda _ev: None
        #: Why an input is not taken now, else None (the screen lock installs its policy here).
        self.input_gate: Callable[[Input], str | None] = lambda _inp: None
        #: When each active prompt's text was first on screen (monotonic). Until a view reports what it
        #: shows (headless), a prompt counts as shown from when it was raised.
        self._shown_since: dict[str, float] = {}
        self._view_reports = False
        #: Wrong PINs per person (a team member's confirmation, a second operator's authorisation).
        self.pins = PinGuard()

    def set_emitter(self, emit: Callable[[CartEvent], None]) -> None:
        """Where feedback goes (the cart's event stream)."""
        self._emit = emit

    # -- life cycle -------------------------------------------------------------------------------
    def start(
        self, procedure_id: str, patient: dict[str, Any], weight_kg: float | None, operator: str
    ) -> ProcedureRecord:
        """Open a new record; the weight given here pre-fills the sign-in weight step."""
        if not operator:
            raise ValueError("sign in as an operator first")
        if patient.get("birth_date"):  # a real past date, stored ISO: never an invalid date exported
            today = dt.datetime.fromtimestamp(self.clock.wall(), tz=dt.UTC).date()
            patient = {**patient, "birth_date": birth_date_iso(str(patient["birth_date"]), today)}
        names = {o.id: o.name for o in self.settings.operators}  # the chart note names people
        record = ProcedureRecord.create(
            self.records_root, self.catalogue, self.clock, procedure_id, patient, operator, names
        )
        self.operator = operator
        self.prefill = {} if weight_kg is None else {"weight_kg": weight_kg}
        self._attach(record, resumed=False)
        return record

    def resume(self, path: Path, operator: str = "") -> ProcedureRecord:
        """Re-open a record after a restart: the engine folds its journal back to the same step and timers."""
        record = ProcedureRecord.open(path, self.catalogue, self.clock)
        self.operator = operator or self.operator
        self.prefill = {}
        self._attach(record, resumed=True)
        return record

    def _attach(self, record: ProcedureRecord, resumed: bool) -> None:
        self.record = record
        record.engine.add_listener(self._on_commit)
        self.changed()
        step = self.current_step()
        proc = record.engine.state.procedure.id
        self._emit(RecordOpened(str(record.path), proc, step.id if step else "", resumed))

    def close(self) -> None:
        if self.record is not None:
            path = self.record.path
            self.record.close()
            self.record = None
            self.changed()
            self._emit(RecordClosed(str(path)))

    def add_listener(self, listener: Callable[[list[Event]], None]) -> None:
        self._listeners.append(listener)

    def _on_commit(self, _engine: Engine, events: list[Event]) -> None:
        active = {p.id for p in self.prompts()}
        self._shown_since = {i: t for i, t in self._shown_since.items() if i in active}
        if not self._view_reports:
            now = self.clock.monotonic()
            for pid in active:
                self._shown_since.setdefault(pid, now)
        self.changed()
        for listener in list(self._listeners):
            listener(events)

    def changed(self) -> None:
        self.version += 1

    # -- queries ----------------------------------------------------------------------------------
    @property
    def engine(self) -> Engine | None:
        return None if self.record is None else self.record.engine

    def phase(self) -> str | None:
        eng = self.engine
        return None if eng is None else eng.state.current_phase_id()

    def sterile(self) -> bool:
        """The clinician is sterile (pedals drive, the screen never locks): the catalogue says per phase."""
        return self.phase() in self.catalogue.sterile_phases

    def last_active(self) -> bool:
        """LAST emergency mode is on (the screen never locks: nobody types a PIN during a resuscitation)."""
        eng = self.engine
        return eng is not None and eng.state.last_active

    def current_step(self) -> Step | None:
        eng = self.engine
        return None if eng is None else eng.current_step()

    def prompts(self) -> list[Prompt]:
        eng = self.engine
        return [] if eng is None else eng.active_prompts()

    def patient_banner(self) -> str | None:
        """Who this record is for, as every screen's banner shows it (None with no record open)."""
        eng = self.engine
        return None if eng is None else banner_line(eng.state.patient)

    def highest_prompt(self) -> Prompt | None:
        eng = self.engine
        return None if eng is None else eng.highest_prompt()

    def person_name(self, operator_id: str) -> str:
        """The name staff know ``operator_id`` by: the record's roster as it was opened, else the cart's
        roster, else the id as given (a clinician off the roster is named in full)."""
        eng = self.engine
        if eng is not None and operator_id in eng.state.names:
            return eng.state.names[operator_id]
        op = self.settings.operator(operator_id)
        return op.name if op is not None else operator_id

    def held_by(self) -> str:
        """Why the step the procedure is on does not go on: ``"Held: <stop in words> — override ... or
        correct ..."`` for a hard stop raised at another step (a corrected earlier answer), else ``""``.
        The step form, the pedal confirmation and headless ``state``/``status`` all say this one text."""
        eng = self.engine
        return "" if eng is None else held_line(eng.catalogue, eng.state)

    # -- what the view shows, and reading before acknowledging ------------------------------------
    def prompts_shown(self, prompt_ids: set[str]) -> None:
        """The view reports the prompts whose text it shows now; one no longer shown must be read again."""
        known = self._shown_since if self._view_reports else {}  # raise times count only headless
        self._view_reports = True
        now = self.clock.monotonic()
        self._shown_since = {i: known.get(i, now) for i in prompt_ids}

    def boundary_refusal(self, inp: Input) -> str | None:
        """What every path (touch, pedal, headless) checks first: the lock, a second operator's PIN, each
        team member's own PIN when they confirm the time-out and a roster clinician's when they clear an
        escalation."""
        refusal = self.input_gate(inp)
        if refusal is None and isinstance(inp, Override) and inp.second_operator:
            if inp.second_operator == inp.operator:
                refusal = "the second operator must be a different person"
            else:
                refusal = self._pin_refusal(inp, inp.second_operator, inp.second_pin)
        if refusal is None and isinstance(inp, Confirm) and self._team_confirm(inp.step):
            refusal = self._pin_refusal(inp, inp.operator, inp.pin)
        if refusal is None and isinstance(inp, ClearEscalation):
            refusal = self._clinician_refusal(inp)
        return refusal

    def roster_id(self, name: str) -> str | None:
        """The roster id ``name`` stands for (an id or a roster name, any case), else None."""
        key = name.strip().casefold()
        people = [(o.id, o.name) for o in self.settings.operators]
        if self.engine is not None:
            people += list(self.engine.state.names.items())  # the roster as the record was opened
        return next((i for i, n in people if key and key in (i.casefold(), n.strip().casefold())), None)

    def _clinician_refusal(self, inp: ClearEscalation) -> str | None:
        """Clearing in the name of a roster clinician needs that clinician's PIN, whatever the path; a
        clinician not on the roster is named in full and has no PIN to give."""
        who = self.roster_id(inp.clinician)
        if who is None:
            return None
        if not inp.pin:
            name = self.person_name(who)
            refusal = f"clearing as {name} needs {name}'s own PIN"
            self._journal_refusal(inp, refusal, who)
            return refusal
        return self._pin_refusal(inp, who, inp.pin)

    def _team_confirm(self, step_id: str) -> bool:
        eng = self.engine
        steps = [] if eng is None else [s for ph in eng.state.procedure.phases for s in ph.steps]
        return any(s.id == step_id and s.kind == "team_confirm" for s in steps)

    def _pin_refusal(self, inp: Input, person: str, pin: str) -> str | None:
        """None when ``pin`` is ``person``'s roster PIN; else why not (said, and journaled when it can be).

        Wrong PINs back off per person as the lock's do (:mod:`sonocart.cart.pin_guard`)."""
        now = self.clock.monotonic()
        who = str(person)[:64]
        refusal = self.pins.waiting(who, now, self.person_name(who))
        if refusal is None:
            if self.settings.check_pin(who, pin):
                self.pins.passed(who)
                return None
            refusal = f"wrong PIN for {self.person_name(who)} ({self.pins.failed(who, now)} in a row)"
        self._journal_refusal(inp, refusal, who)
        return refusal

    def _journal_refusal(self, inp: Input, refusal: str, who: str) -> None:
        """A refusal at the input boundary is on the record (its words, never a PIN)."""
        eng = self.engine
        if eng is not None:  # a record that cannot take it reports its own fault on the next input
            with contextlib.suppress(JournalError, InputRejected):
                eng.journal_refusal(type(inp).__name__, refusal, self.operator or who)

    def override_needs_second(self, rule: str) -> bool:
        """Whether overriding hard stop ``rule`` also needs a second operator's PIN (alarm table)."""
        row = self.catalogue.alarm_rule(f"hard_stop:{rule}")
        return row is not None and row.second_person

    def _ack_refusal(self, inp: Input) -> str | None:
        """An acknowledgement needs the prompt's text on screen for the table's reading time first."""
        if not isinstance(inp, Acknowledge) or self.engine is None:
            return None
        since = self._shown_since.get(inp.prompt_id)
        if since is None:
            return "that prompt is not on screen: open it to read it first"
        need = self.catalogue.ack_min_shown_s
        if self.clock.monotonic() - since < need:
            return f"read the prompt first (on screen for at least {need:g} s)"
        return None

    # -- input ------------------------------------------------------------------------------------
    def submit(self, make: Callable[[str], Input], what: str) -> bool:
        """Submit ``make(operator)``; True when the engine accepted it. Every outcome is shown."""
        eng = self.engine
        if eng is None:
            self.say(f"{what}: no procedure open", ok=False)
            return False
        inp = make(self.operator)
        refusal = self.boundary_refusal(inp) or self._ack_refusal(inp)
        if refusal is not None:
            self.say(f"{what}: refused — {refusal}", ok=False)
            return False
        try:
            eng.submit(inp)
        except InputRejected as exc:
            self.say(f"{what}: refused — {exc}", ok=False)
            return False
        except JournalError as exc:
            self.say(f"{what}: NOT RECORDED — {exc}", ok=False)
            return False
        # accepted, and still held: the step's panel shows why (held_by, whole, at both sizes); the
        # message only points there rather than say the same long line a second time
        self.say(f"{what} — {STILL_HELD}" if self.held_by() else what, ok=True)
        return True

    def log_aliquot(self, via: str, press_id: str | None) -> bool:
        """Log one aliquot of the volume set for the next (``aliquot_ml``), by touch or by pedal."""
        vol = self.aliquot_ml
        return self.submit(
            lambda op: LogAliquot(vol, op, via=via, press_id=press_id), f"aliquot {vol:g} mL logged ({via})"
        )

    def aspirate(self, result: str, via: str) -> bool:
        """Aspiration before the next aliquot, with its volume so the dose guard warns before the fact."""
        planned = self.aliquot_ml
        return self.submit(lambda op: Aspirate(result, op, planned), f"aspiration {result} ({via})")

    def injection_panel(self) -> InjectionPanel | None:
        """Drug, concentration, given so far and mL left to the maximum, for the next aliquot's volume."""
        eng = self.engine
        if eng is None:
            return None
        meds = eng.state.answers.get("medications", [])
        return injection_panel(self.catalogue, eng.state, self.aliquot_ml, meds[0]["id"] if meds else None)

    def set_aliquot_ml(self, volume_ml: float) -> float:
        """The volume the next aliquot records, at least 0.5 mL (the engine checks the dose)."""
        self.aliquot_ml = max(0.5, volume_ml)
        self.changed()
        return self.aliquot_ml

    def say(self, text: str, ok: bool = True) -> None:
        self.feedback = Feedback(text, ok, self.clock.monotonic())
        self.changed()
        self._emit(self.feedback)

    def tick(self) -> None:
        """Let the engine journal due timers (called a few times a second by the app)."""
        eng = self.engine
        if eng is not None:
            try:
                eng.tick()
            except JournalError as exc:
                self.say(f"timer NOT RECORDED — {exc}", ok=False)
