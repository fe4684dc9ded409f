"""The live screen's fixed strip and depth numbers, from hand-built step views (no window)."""

from __future__ import annotations

from sonocart.imaging.scanconvert import Calibration
from sonocart_ui.viewmodels.actions import Action
from sonocart_ui.viewmodels.live import NEXT_SPEAKER, depth_marks, sterile_strip
from sonocart_ui.viewmodels.step_form import StepView

INJECTION = StepView(
    "Injection",
    "inject",
    "injection",
    "Inject in aliquots",
    "step 1 of 1",
    (
        Action("aspirate:negative", "Aspirate: negative", primary=True),
        Action("aspirate:positive", "Aspirate: BLOOD/CSF"),
        Action("vol:-", "- 1 mL"),
        Action("aliquot", "Log 4 mL", primary=True),
        Action("vol:+", "+ 1 mL"),
        Action("test_dose", "Test dose"),
        Action("new_needle", "New needle"),
        Action("finish", "Finish injection"),
    ),
)


def _stop(done: set[str]) -> StepView:
    acts = tuple(
        Action(f"stop:{m}:{s}", f"{m}: {s.upper()}", m in done)
        for m in ("ana", "ben", "cy")
        for s in ("left", "right")
    )
    return StepView("Block", "stop", "two_person_stop", "STOP", "step 2 of 2", acts)


def test_the_injection_strip_holds_four_buttons_with_the_aspiration_results_apart() -> None:
    strip = sterile_strip(INJECTION)
    assert strip is not None
    assert [a.key for a in strip.actions] == ["aspirate:negative", "aliquot", "finish", "aspirate:positive"]
    # the other buttons stay reachable in the panel, none lost and none twice
    assert [a.key for a in strip.rest] == ["vol:-", "vol:+", "test_dose", "new_needle"]


def test_finishing_the_injection_asks_once_more() -> None:
    first = sterile_strip(INJECTION)
    armed = sterile_strip(INJECTION, finish_armed=True)
    assert first is not None and armed is not None
    assert first.actions[2].label == "Finish injection"
    assert armed.actions[2].label == "Tap again: finish" and armed.actions[2].key == "finish"


def test_the_stop_strip_offers_those_who_have_not_spoken_first_then_those_who_may_restate() -> None:
    strip = sterile_strip(_stop({"ana"}))
    assert strip is not None
    assert [a.key for a in strip.actions] == ["stop:ben:left", "stop:ben:right", NEXT_SPEAKER]
    nxt = sterile_strip(_stop({"ana"}), speaker=1)
    assert nxt is not None and [a.key for a in nxt.actions][:2] == ["stop:cy:left", "stop:cy:right"]
    # after everyone waiting, the person who has spoken (a mis-tap is restated, issue 13), then round again
    restate = sterile_strip(_stop({"ana"}), speaker=2)
    assert restate is not None and [a.key for a in restate.actions][:2] == ["stop:ana:left", "stop:ana:right"]
    again = sterile_strip(_stop({"ana"}), speaker=3)
    assert again is not None and again.actions[0].key == "stop:ben:left"


def test_other_steps_have_no_strip() -> None:
    view = StepView("Sign in", "consent", "yesno", "Consent valid?", "1 of 9", (Action("yes", "Yes"),))
    assert sterile_strip(view) is None


def test_depth_numbers_fall_on_whole_centimetres_below_the_skin_line() -> None:
    # 0.1 mm per pixel, skin line 20 px below the top, 400 px tall: 1 cm = 100 px
    cal = Calibration(0.1, (200.0, 20.0), 400, 400)
    assert depth_marks(cal, 38.0) == [(20.0, "0"), (120.0, "1"), (220.0, "2"), (320.0, "3")]
    # a number below the image's last row is not drawn
    assert depth_marks(cal, 45.0)[-1] == (320.0, "3")
