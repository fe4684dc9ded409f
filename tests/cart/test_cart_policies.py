"""The headless core's policies on a manual clock, without Kivy: pedal map per context, light and buzzer
per prompt priority, the lock and what it does with pedal presses, liveness, and the event stream.

The engine, journal and imaging chain are the real ones; the pedal board is a recording stand-in with
the driver's interface (events in, light and buzzer commands out). The cart decides synchronously (its
``light`` and its events); the commands reach the board through the outbox thread (tested at the end).
"""

from __future__ import annotations

import socket
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent
from sonocart.cart.outbox import BoardOutbox
from sonocart.cart.pacs import counts
from sonocart.devices.pedal_events import FaultEvent
from sonocart.journal.store import Journal
from sonocart.records.record import JOURNAL_NAME
from sonocart.wire import probe_codec as pc
from sonocart_ui.viewmodels.step_form import StepForm
from tests.ui.vm_fixtures import SIGN_IN_TO_PREP

ROOT_CATALOGUE = Path(__file__).resolve().parents[2] / "host/sonocart/procedures/catalogue"


def _frame(n: int) -> pc.Frame:
    """A real 64-line linear frame as the codec hands it over (grey ramp in depth)."""
    lines = np.tile(np.linspace(0, 60000, 256, dtype=np.uint16), (64, 1))
    geom = pc.FrameGeometry(pc.GeometryKind.LINEAR, 0.0, 40.0, width_mm=38.0)
    return pc.Frame(n, n, n * 33_000, 0, geom, lines)


def _open(cart: Cart) -> None:
    cart.open_procedure("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")


def _to_prep(cart: Cart) -> StepForm:
    form = StepForm(cart.session)
    for step, key in SIGN_IN_TO_PREP:
        assert form.view().step_id == step
        assert form.press(key), cart.session.feedback
    return form


def _kinds(events: list[CartEvent], kind: str) -> list[dict[str, Any]]:
    return [e.as_dict() for e in events if e.kind == kind]


def _buzzes(events: list[CartEvent]) -> list[str]:
    return [e["priority"] for e in _kinds(events, "buzz")]


def test_light_is_idle_then_ready_then_imaging_while_frames_are_live_and_ready_when_frozen(rig: Any) -> None:
    cart, _board, clock, events = rig
    cart.pump()
    assert cart.light == "idle"
    _open(cart)
    assert cart.light == "ready"
    cart.probe.latest.put(_frame(1), clock.monotonic())
    cart.pump()
    assert cart.light == "imaging" and cart.liveness.live
    cart.freeze()
    cart.pump()
    assert cart.light == "ready"  # a frozen image is not live imaging
    cart.freeze()
    cart.probe.latest.put(_frame(2), clock.monotonic())
    cart.pump()
    assert cart.light == "imaging"
    clock.advance(0.3)  # no new frame for 300 ms: NO SIGNAL, never a stale image shown as live
    cart.pump()
    assert cart.light == "ready" and not cart.liveness.live
    assert [e["live"] for e in _kinds(events, "liveness")] == [True, False]
    assert "no new frame for 300 ms" in _kinds(events, "liveness")[-1]["reason"]


def test_a_new_prompt_buzzes_once_at_its_priority_and_the_light_shows_the_top_prompt(rig: Any) -> None:
    cart, _board, _clock, events = rig
    _open(cart)
    form = StepForm(cart.session)
    for key in ("member:rn_ben", "done", "confirm"):
        form.press(key)
    assert _buzzes(events) == []
    # Consent not valid: journaled, and a hard stop raised at the alarm table's priority for an
    # administrative stop (LOW: no immediate danger to the patient, catalogue/alarms.toml).
    assert form.press("no")
    assert _buzzes(events) == ["low"]
    assert cart.light == "alarm_low"
    prompts = _kinds(events, "prompts")
    assert prompts[-1]["priority"] == "LOW" and prompts[-1]["count"] >= 1
    cart.pump()
    assert _buzzes(events) == ["low"]  # once, not on every pump


def test_pedal_map_follows_the_context_and_every_gesture_is_journaled_once(rig: Any) -> None:
    cart, board, clock, events = rig
    _open(cart)
    _to_prep(cart)
    cart.probe.latest.put(_frame(1), clock.monotonic())
    cart.pump()
    board.gesture("A", "press")  # edges are not actions
    board.gesture("A", "tap")  # sterile context: freeze
    board.gesture("B", "hold")  # acknowledge or confirm: the prep step
    cart.pump()
    assert cart.live.frozen
    step = cart.session.current_step()
    assert step is not None and step.id == "stop_before_block"
    form = StepForm(cart.session)
    form.press("stop:dr_ana:left")
    form.press("stop:odp_cy:left")
    assert cart.session.current_step().kind == "injection"  # type: ignore[union-attr]
    board.gesture("B", "hold")  # injection context: negative aspiration
    cart.pump()
    clock.advance(30)
    tap = board.gesture("B", "tap")  # injection context: log an aliquot
    cart.pump()
    board.queue.append(tap)  # the same press delivered twice
    cart.pump()
    eng = cart.session.engine
    assert eng is not None and len(eng.state.aliquots) == 1 and eng.state.aliquots[0].via == "pedal"
    acted = [(e["pedal"], e["gesture"], e["action"], e["outcome"]) for e in _kinds(events, "pedal")]
    assert acted[:4] == [
        ("A", "tap", "freeze", "done"),
        ("B", "hold", "acknowledge_or_confirm", "done"),
        ("B", "hold", "acknowledge_or_confirm", "done"),
        ("B", "tap", "log_aliquot", "done"),
    ]
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        journal.verify()
        rows = [e.payload for e in journal.events() if e.type == "pedal_gesture"]
    assert [(r["pedal"], r["gesture"], r["action"]) for r in rows[:4]] == [a[:3] for a in acted[:4]]
    assert all(r["press_id"].startswith("0000b007:") for r in rows)


def test_a_refused_pedal_action_buzzes_low_and_is_on_the_record_as_refused(rig: Any) -> None:
    cart, board, _clock, events = rig
    _open(cart)
    board.gesture("B", "hold")  # the team step cannot be confirmed by pedal
    cart.pump()
    assert _buzzes(events) == ["low"]
    (ev,) = _kinds(events, "pedal")
    assert ev["outcome"] == "refused" and "needs the screen" in ev["detail"] and ev["seq"] is not None


def test_the_screen_locks_after_the_idle_time_and_pedals_pressed_while_locked_are_reported(rig: Any) -> None:
    cart, board, clock, events = rig
    _open(cart)
    clock.advance(59)
    cart.pump()
    assert not cart.lock.locked
    clock.advance(2)
    cart.pump()
    assert cart.lock.locked and _kinds(events, "lock")[-1]["locked"]
    board.gesture("A", "tap")
    cart.pump()
    (ev,) = _kinds(events, "pedal")
    assert (ev["outcome"], ev["action"]) == ("locked", "freeze") and ev["seq"] is not None
    assert not cart.live.frozen  # not acted on
    assert _buzzes(events) == ["low"]
    assert not cart.unlock("rn_ben", "9999") and cart.lock.locked
    assert cart.unlock("rn_ben", "1234") and not cart.lock.locked and cart.session.operator == "rn_ben"


def test_the_screen_never_locks_while_sterile_and_the_lock_button_is_refused_there(rig: Any) -> None:
    cart, _board, clock, _events = rig
    _open(cart)
    _to_prep(cart)
    assert cart.session.sterile()
    clock.advance(10_000)
    cart.pump()
    assert not cart.lock.locked
    assert not cart.lock_now() and not cart.lock.locked
    assert "does not lock while sterile" in cart.session.feedback.text  # type: ignore[union-attr]


def test_presses_the_board_dropped_are_reported_and_journaled_never_silent(rig: Any) -> None:
    cart, board, clock, events = rig
    _open(cart)
    board.lost = 2  # the count moves first; its events_lost fault comes later (or is itself late)
    clock.advance(0.3)
    cart.pump()
    assert _kinds(events, "pedals_lost") == [{"event": "pedals_lost", "count": 2}]
    board.queue.append(FaultEvent("events_lost", True, 2, 0, 1, boot_id=0xB007))
    cart.pump()
    assert len(_kinds(events, "pedals_lost")) == 1  # the same two, not reported twice
    board.boot, board.lost = 0xB008, 1  # a board reset: a new boot counts from 0
    clock.advance(0.3)
    cart.pump()
    assert _kinds(events, "pedals_lost")[-1] == {"event": "pedals_lost", "count": 1}
    with Journal(cart.session.record.path / JOURNAL_NAME) as journal:  # type: ignore[union-attr]
        notes = [str(e.payload["text"]) for e in journal.events() if e.type == "note"]
    assert any("dropped 2 pedal press" in n for n in notes)


def test_running_timers_tick_on_the_event_stream_once_a_second(rig: Any) -> None:
    cart, _board, clock, events = rig
    _open(cart)
    form = _to_prep(cart)
    form.press("confirm")
    form.press("stop:dr_ana:left")
    form.press("stop:odp_cy:left")
    form.press("aspirate:negative")
    form.press("aliquot")  # starts the pause between aliquots
    for _ in range(3):
        clock.advance(1.0)
        cart.pump()
    ticks = _kinds(events, "timers")
    assert len(ticks) >= 2 and all(t["remaining_s"] for t in ticks)
    first, last = ticks[0]["remaining_s"], ticks[-1]["remaining_s"]
    name = next(iter(first))
    assert last[name] < first[name]


def test_a_pacs_send_runs_off_the_pump_and_a_pacs_that_is_down_leaves_everything_queued(rig: Any) -> None:
    cart, _board, _clock, events = rig
    with socket.socket() as s:  # a port nobody listens on: the PACS is down
        s.bind(("127.0.0.1", 0))
        cart.session.settings.pacs.port = s.getsockname()[1]
    cart.session.settings.pacs.host = "127.0.0.1"
    _open(cart)
    said = cart.send_to_pacs()
    assert said.startswith("queued ") and cart.pacs.sending
    assert cart.send_to_pacs() == "PACS: already sending"  # one send at a time
    deadline = time.monotonic() + 30
    while not _kinds(events, "pacs") and time.monotonic() < deadline:
        cart.pump()
        time.sleep(0.02)
    (done,) = _kinds(events, "pacs")
    assert not done["ok"] and "stay queued, nothing lost" in done["text"]
    # the why after the short line, apart from it: which PACS did not answer
    port = cart.session.settings.pacs.port
    assert done["text"].endswith(f"lost — PACS ORTHANC@127.0.0.1:{port} did not accept an association")
    assert not cart.pacs.sending
    sent, pending = counts(cart.session)
    assert sent == 0 and pending >= 1


def test_light_and_buzzer_commands_reach_the_board_from_the_outbox_even_when_a_write_blocks(rig: Any) -> None:
    cart, board, _clock, events = rig
    release = threading.Event()
    sent = board.set_indicator

    def slow_light(state: str | int) -> None:  # the board stopped reading: the write blocks
        release.wait(5.0)
        sent(state)

    board.set_indicator = slow_light  # type: ignore[method-assign]
    cart.outbox = BoardOutbox(board).start()  # the real outbox thread (the fixture's is immediate)
    try:
        t0 = time.monotonic()
        cart.pump()  # idle light
        _open(cart)  # ready light
        form = StepForm(cart.session)
        for key in ("member:rn_ben", "done", "confirm", "no"):  # a hard stop: buzz + alarm light
            form.press(key)
        assert time.monotonic() - t0 < 1.0, "the pump waited for the board"
        assert cart.light == "alarm_low" and _buzzes(events) == ["low"]
        release.set()
        deadline = time.monotonic() + 5
        while (not board.lights or board.lights[-1] != "alarm_low") and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        release.set()
        cart.outbox.stop()
    assert board.lights[-1] == "alarm_low"  # the newest state wins; obsolete ones may be skipped
    assert board.buzzes == ["low"]


def test_a_pedal_confirmation_says_the_whole_step_text_never_cut(rig: Any) -> None:
    """ISMP/never-truncated: the toast after a pedal confirmation carries the step's full text."""
    phases = tomllib.loads((ROOT_CATALOGUE / "phases.toml").read_text())
    prep = next(s for p in phases["phases"] for s in p["steps"] if s["id"] == "prep_done")
    assert len(prep["text"]) > 40  # the old cut fell inside this text
    cart, board, _clock, events = rig
    _open(cart)
    _to_prep(cart)
    board.gesture("B", "hold")
    cart.pump()
    said = [e["text"] for e in _kinds(events, "feedback") if e["ok"]]
    assert f"confirmed: {prep['text']} (pedal B hold)" in said
