"""View-models on a real engine and journal, without a window: what the screens show and send."""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.alarms import flash_on
from sonocart.cart.light import indicator_for
from sonocart.cart.lock import ScreenLock
from sonocart.cart.settings import load_settings
from sonocart.clock import ManualClock
from sonocart.devices.pedal_events import PedalEvent
from sonocart.procedures.prompts import Priority
from sonocart_ui.theme import Theme
from sonocart_ui.viewmodels.alarm_style import style_of
from sonocart_ui.viewmodels.live import image_actions
from sonocart_ui.viewmodels.lock import LockKeypad
from sonocart_ui.viewmodels.navigation import screen_for
from sonocart_ui.viewmodels.prompt_list import acknowledge, rows
from sonocart_ui.viewmodels.settings import SettingsForm
from sonocart_ui.viewmodels.start import StartForm
from tests.ui.vm_fixtures import new_session, started, to_prep


def test_every_touch_target_is_at_least_12_mm_and_text_at_least_3_mm_on_both_cart_screens() -> None:
    for w, h, diagonal in ((800, 480, 7.0), (1280, 800, 10.1)):
        t = Theme.for_window(w, h)
        assert t.diagonal_in == diagonal
        assert t.target / t.px_per_mm >= 12.0
        assert t.font_small * 0.7 / t.px_per_mm >= 3.0  # caps height of the smallest text
    assert Theme.for_window(800, 480).compact and not Theme.for_window(1280, 800).compact


def test_alarm_styles_follow_iec_colours_flash_rates_and_carry_a_marker_and_word() -> None:
    high, medium, low = (style_of(p) for p in (Priority.HIGH, Priority.MEDIUM, Priority.LOW))
    assert high.colour[0] > 0.8 > high.colour[1] and 1.4 <= high.flash_hz <= 2.8
    assert medium.colour[0] > 0.8 and medium.colour[1] > 0.6 and 0.4 <= medium.flash_hz <= 0.8
    assert low.flash_hz == 0 and all(flash_on(low.signal, t / 10) for t in range(20))
    assert (high.marker, medium.marker, low.marker) == ("!!!", "!!", "!")
    lit = [flash_on(high.signal, t / 100) for t in range(100)]  # one second
    assert 0.2 <= sum(lit) / len(lit) <= 0.6  # duty cycle within IEC 60601-1-8 (20-60 %)


def test_start_form_refuses_missing_identifiers_then_opens_a_record_with_the_operator(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    form = StartForm(session)
    assert not form.start() and "name" in form.error and "procedure" in form.error
    form.procedure_id, form.operator = "femoral_nerve_block", "rn_ben"
    form.values.update(family_name="Doe", given_name="Jane", id="MRN1", birth_date="19580412", weight="72")
    assert form.start(), form.error
    assert screen_for(session) == "sign_in" and session.operator == "rn_ben"
    assert session.engine is not None and session.engine.state.patient["name"] == "Doe^Jane"


def test_step_form_drives_sign_in_and_time_out_to_the_live_screen_with_the_prefilled_weight(
    tmp_path: Path,
) -> None:
    session, form = started(tmp_path)
    assert form.view().step_id == "team"
    selected = sorted(a.key for a in form.view().actions if a.selected)
    assert selected == ["member:dr_ana", "member:odp_cy", "member:rn_ben"]
    to_prep(form)
    assert session.engine is not None and session.engine.state.answers["weight_kg"] == 72.0
    assert screen_for(session) == "live" and session.sterile()
    assert session.engine.banner()["side"] == "LEFT"


def test_a_refused_answer_is_shown_and_changes_nothing(tmp_path: Path) -> None:
    session, form = started(tmp_path)
    form.press("member:rn_ben")
    form.press("member:odp_cy")  # a team of one
    assert not form.press("done")
    assert session.feedback is not None and not session.feedback.ok and "refused" in session.feedback.text
    assert form.view().step_id == "team"


def _pedal(pedal: str, kind: str, seq: int) -> PedalEvent:
    return PedalEvent(pedal=pedal, kind=kind, board_ts=seq * 100, seq=seq, boot_id=0xB007)


class _Live:
    """The live view-model's freeze/capture surface, without a probe (captures need no frame here)."""

    def __init__(self) -> None:
        self.frozen = False

    def toggle_freeze(self) -> bool:
        self.frozen = not self.frozen
        return self.frozen


def _action(outcome: object) -> str:
    assert outcome is not None
    return str(outcome.action)  # type: ignore[attr-defined]


def test_default_pedal_mapping_confirms_prep_aspirates_and_logs_each_aliquot_once(tmp_path: Path) -> None:
    from sonocart.cart.pedal_actions import PedalActions

    clock = ManualClock()
    session, form = started(tmp_path, clock)
    to_prep(form)
    buzzes: list[str] = []
    pedals = PedalActions(session, _Live(), buzzes.append)  # type: ignore[arg-type]
    assert _action(pedals.handle(_pedal("A", "tap", 1))) == "freeze"
    assert _action(pedals.handle(_pedal("B", "hold", 2))) == "acknowledge_or_confirm"  # prep done
    assert form.view().step_id == "stop_before_block"
    assert pedals.handle(_pedal("B", "press", 3)) is None  # edges are not actions
    form.press("stop:dr_ana:left")
    form.press("stop:odp_cy:left")
    assert form.view().kind == "injection"
    pedals.handle(_pedal("B", "hold", 4))  # injection: negative aspiration
    clock.advance(30)
    tap = _pedal("B", "tap", 5)
    assert _action(pedals.handle(tap)) == "log_aliquot"
    assert session.engine is not None and len(session.engine.state.aliquots) == 1
    assert session.engine.state.aliquots[0].via == "pedal"
    pedals.handle(tap)  # the same press delivered again: the engine acts on it once
    assert len(session.engine.state.aliquots) == 1


def test_a_refused_pedal_action_buzzes_and_says_why(tmp_path: Path) -> None:
    from sonocart.cart.pedal_actions import PedalActions

    session, _form = started(tmp_path)
    buzzes: list[str] = []
    pedals = PedalActions(session, _Live(), buzzes.append)  # type: ignore[arg-type]
    pedals.handle(_pedal("B", "hold", 1))  # the team step cannot be confirmed by pedal
    assert buzzes == ["low"]
    assert session.feedback is not None and "needs the screen" in session.feedback.text


def test_status_light_follows_the_highest_prompt_else_the_cart_state(tmp_path: Path) -> None:
    clock = ManualClock()
    session, form = started(tmp_path, clock)
    assert indicator_for(None, False, False, False) == "idle"
    assert indicator_for(None, True, True, False) == "imaging"
    form.press("member:rn_ben")
    form.press("done")
    form.press("confirm")
    form.press("no")  # consent not valid: an administrative hard stop, LOW in the alarm table
    top = session.highest_prompt()
    assert top is not None and top.priority is Priority.LOW
    assert indicator_for(top, True, True, False) == "alarm_low"
    assert indicator_for(top, True, True, False, emergency=True) == "alarm_high"  # LAST active


def test_prompt_list_is_ordered_and_acknowledging_is_journaled_with_the_operator(tmp_path: Path) -> None:
    clock = ManualClock()
    session, form = started(tmp_path, clock)
    to_prep(form)
    engine = session.engine
    assert engine is not None
    form.press("confirm")
    form.press("stop:dr_ana:left")
    form.press("stop:odp_cy:left")
    form.press("aspirate:positive")  # HIGH prompt
    listed = rows(session)
    assert listed[0].label.startswith("!!! HIGH: Positive aspiration")
    session.operator = "rn_ben"
    session.prompts_shown({listed[0].id})  # the list shows it; read for a second before acknowledging
    assert not acknowledge(session, listed[0].id)
    clock.advance(1.0)
    assert acknowledge(session, listed[0].id)
    last = list(engine.journal.events())[-1]
    assert (last.type, last.operator) == ("prompt_acknowledged", "rn_ben")
    assert rows(session)[0].action == "Acknowledged"  # blood aspirated: shown while it lasts
    form.press("aspirate:negative")
    assert [r.id for r in rows(session)] == ["escalated"]  # blood on aspiration escalates the observation


def test_screen_locks_after_idle_outside_the_sterile_phase_only_and_the_pin_names_the_operator(
    tmp_path: Path,
) -> None:
    now = [0.0]
    session, form = started(tmp_path)
    session.settings.idle_lock_s = 60
    lock = ScreenLock(session, lambda: now[0])
    keypad = LockKeypad(lock)
    now[0] = 59
    assert not lock.check()
    now[0] = 61
    assert lock.check()
    for key in ("op:rn_ben", "digit:9", "digit:9", "ok"):
        assert not keypad.press(key)
    assert lock.locked and "Wrong PIN" in keypad.message
    for key in ("digit:1", "digit:2", "digit:3", "digit:4"):
        keypad.press(key)
    assert keypad.press("ok") and not lock.locked and session.operator == "rn_ben"
    to_prep(form)
    now[0] = 10_000
    assert not lock.check(), "a sterile clinician is never locked out"


def test_pedal_mapping_and_idle_time_are_saved_as_data(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    form = SettingsForm(session)
    assert form.cycle_pedal("sterile/B tap") == "capture_clip"
    form.cycle_idle()
    assert session.settings_path is not None
    loaded = load_settings(session.settings_path, demo=False)
    assert loaded.pedal_map["sterile"]["B tap"] == "capture_clip"
    assert loaded.idle_lock_s == session.settings.idle_lock_s
    assert loaded.check_pin("dr_ana", "1234") and not loaded.check_pin("dr_ana", "4321")


def test_imaging_controls_reach_the_imaging_chain_and_stay_in_range() -> None:
    from sonocart.cart.live import LiveImaging
    from sonocart.devices.probe import ProbeClient

    probe = ProbeClient("/nonexistent/probe")  # never started: the controls need no frames
    vm = LiveImaging(probe, lambda: 0.0, 640, 480)
    for _ in range(20):
        vm.press("gain:+")
    assert vm.pipeline.settings.gain_db == 30.0
    vm.press("tgc:2:+")
    vm.press("tgc:7:-")
    assert vm.pipeline.settings.tgc_db[2] == 3.0 and vm.pipeline.settings.tgc_db[7] == -3.0
    vm.press("depth:+")
    assert probe.status().depth_requested_mm == 70.0
    assert vm.toggle_needle() and vm.pipeline.settings.needle_enhance
    vm.resize(800, 600)  # a new viewport keeps every setting
    assert vm.pipeline.settings.needle_enhance and vm.pipeline.settings.tgc_db[2] == 3.0
    assert vm.needle_line() == "needle: not found"
    assert vm.toggle_freeze() and vm.poll().frozen


def test_persistence_is_selectable_by_named_level_and_reaches_the_imaging_chain() -> None:
    from sonocart.cart.live import LiveImaging
    from sonocart.devices.probe import ProbeClient
    from sonocart.imaging.settings import PERSISTENCE_LEVELS

    vm = LiveImaging(ProbeClient("/nonexistent/probe"), lambda: 0.0, 640, 480)
    assert vm.pipeline.settings.persistence == 0.0
    assert "Persist: off" in [a.label for a in image_actions(vm)]
    seen = []
    for _ in range(len(PERSISTENCE_LEVELS)):
        vm.press("persistence")
        seen.append(vm.persistence_name())
        assert vm.pipeline.settings.persistence == PERSISTENCE_LEVELS[seen[-1]]
    assert seen == ["low", "medium", "high", "off"]
    vm.press("persistence")
    assert f"Persist: {vm.persistence_name()}" in [a.label for a in image_actions(vm)]
    assert "persist low" in vm.settings_line()


def test_the_summary_names_an_override_by_its_operator_with_the_reason_and_keeps_the_date_whole(
    tmp_path: Path,
) -> None:
    import time

    from sonocart.procedures import inputs as I
    from sonocart_ui.viewmodels.summary import summary_lines
    from tests.procedures.procedure_drivers import advance_to

    clock = ManualClock()
    session = new_session(tmp_path, clock)
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, 72.0, "dr_ana")
    assert session.record is not None and session.engine is not None
    day = time.localtime(clock.wall())  # the record's first entry
    advance_to(session.record, clock, "observe")
    session.engine.submit(I.Confirm("observe", "dr_ana"))  # too early: the observation's hard stop
    reason = "Patient self-discharged against advice"
    session.engine.submit(I.Override("observe_incomplete", reason, "rn_ben"))
    lines = summary_lines(session)
    at = time.strftime("%H:%M", time.localtime(clock.wall()))
    assert f"[!] override by RN Ben at {at}: {reason}" in lines, lines
    # the day, month and year joined by no-break spaces: a wrapped first line never splits the date
    first = lines[0]
    assert first.endswith(f" on {day.tm_mday:02d}\u00a0{time.strftime('%b', day)}\u00a0{day.tm_year}"), first
