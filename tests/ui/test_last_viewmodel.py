"""The LAST emergency screen's view-model on the real engine and journal, without a window."""

from __future__ import annotations

from pathlib import Path

from sonocart.cart.lock import ScreenLock
from sonocart.clock import ManualClock
from sonocart_ui.viewmodels.last import LastViewModel
from tests.ui.vm_fixtures import new_session


def _session_at(tmp_path: Path, weight_kg: float, clock: ManualClock) -> LastViewModel:
    session = new_session(tmp_path, clock)
    session.start("femoral_nerve_block", {"name": "DOE^JANE", "id": "MRN1"}, weight_kg, "dr_ana")
    return LastViewModel(session)


def test_last_mode_starts_only_after_a_confirming_touch_and_raises_a_high_prompt(tmp_path: Path) -> None:
    vm = _session_at(tmp_path, 60, ManualClock())
    assert not vm.press_start() and vm.confirming and not vm.active()
    vm.cancel_start()
    assert not vm.press_start()
    assert vm.press_start() and vm.active() and not vm.confirming
    top = vm.session.highest_prompt()
    assert top is not None and top.priority.name == "HIGH" and "LAST EMERGENCY" in top.text
    assert not vm.press_start() and vm.press_start() is False  # already active: refused and shown
    assert vm.session.feedback is not None and "already active" in vm.session.feedback.text


def test_lipid_plan_for_60_kg_is_per_kilogram_and_for_80_kg_is_fixed_volumes(tmp_path: Path) -> None:
    light = _session_at(tmp_path / "a", 60, ManualClock())
    assert light.plan_lines() == [
        "20% lipid emulsion for 60 kg",
        "bolus 90 mL over 2-3 min",
        "infusion 15 mL/min",
        "upper limit about 720 mL",
    ]
    heavy = _session_at(tmp_path / "b", 80, ManualClock())
    assert heavy.plan_lines() == [
        "20% lipid emulsion for 80 kg",
        "bolus 100 mL over 2-3 min",
        "infusion 200-250 mL over 15-20 min",
        "upper limit about 960 mL",
    ]


def test_each_done_touch_is_journaled_with_the_operator_and_lipid_steps_run_the_engine_timers(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    vm = _session_at(tmp_path, 60, clock)
    vm.press_start()
    vm.press_start()
    assert vm.done("stop_injecting")
    vm.session.operator = "rn_ben"  # the unlock names who acts next
    assert vm.done("lipid_bolus")
    assert vm.done("lipid_infusion")
    rows = {r.id: r for r in vm.steps()}
    assert rows["stop_injecting"].label == "[X] done · Dr Ana"
    assert rows["lipid_bolus"].label == "[X] done · RN Ben" and rows["airway"].label == "Done"
    assert [t.text for t in vm.timers()] == [
        "lipid bolus (max. duration): 3:00 left",
        "reassess: repeat bolus if still unstable: 5:00 left",
        "lipid infusion: 15:00 left",  # 60 kg: a rate, no infusion time range: 15 min check
    ]
    clock.advance(200)
    vm.session.tick()
    assert [t.text for t in vm.timers()] == [  # the bolus timer has expired: the engine prompts for it
        "reassess: repeat bolus if still unstable: 1:40 left",
        "lipid infusion: 11:40 left",
    ]
    assert "timer:lipid_bolus" in [p.id for p in vm.session.prompts()]
    assert not vm.end("ok")  # a reason is needed: refused and shown
    assert vm.end("ROSC, handed over to ICU") and not vm.active()
    record = vm.session.record
    assert record is not None
    journal = [(e.type, e.operator, e.payload) for e in record.journal.events()]
    actions = [(p["step"], op, p["detail"]) for t, op, p in journal if t == "last_action"]
    assert actions == [
        ("stop_injecting", "dr_ana", {}),
        ("lipid_bolus", "rn_ben", {"weight_kg": 60.0, "bolus_ml": 90.0}),
        ("lipid_infusion", "rn_ben", {"weight_kg": 60.0, "rate_ml_per_min": 15.0}),
    ]
    assert [op for t, op, _ in journal if t == "last_started"] == ["dr_ana"]
    assert [(op, p["reason"]) for t, op, p in journal if t == "last_ended"] == [
        ("rn_ben", "ROSC, handed over to ICU")
    ]


def test_the_screen_never_locks_while_last_mode_is_active_and_locks_again_after_it(tmp_path: Path) -> None:
    clock = ManualClock()
    vm = _session_at(tmp_path, 80, clock)
    lock = ScreenLock(vm.session, clock.monotonic)
    vm.press_start()
    vm.press_start()
    clock.advance(vm.session.settings.idle_lock_s * 3)
    assert not lock.check()
    assert vm.end("patient stable, LAST resolved")
    clock.advance(vm.session.settings.idle_lock_s)
    assert lock.check()
