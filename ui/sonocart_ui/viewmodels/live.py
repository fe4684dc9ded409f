"""The live screen's buttons and marks over the core's live imaging (keys handled by ``LiveImaging.press``).

The sterile strip is a view choice only: which of the step form's buttons (the engine validates every
one) stay fixed beside the image during the two-person STOP and the injection, in what order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sonocart.cart.live import TGC_BANDS, LiveImaging
from sonocart.imaging.scanconvert import Calibration
from sonocart_ui.viewmodels.step_form import Action, StepView

#: The most buttons the fixed strip holds: each stays large enough for a gloved finger on 7 inches.
STRIP_MAX = 4
#: Top to bottom: the two aspiration results are kept apart (two buttons between them) and unlike.
INJECTION_STRIP = ("aspirate:negative", "aliquot", "finish", "aspirate:positive")
FINISH_ARMED_LABEL = "Tap again: finish"
NEXT_SPEAKER = "stop_next"


def caliper_text(mm: float | None) -> str:
    """The caliper readout beside the frozen image: the distance to a tenth of a millimetre, "" with no
    measurement (fewer than two points)."""
    return "" if mm is None else f"caliper {mm:.1f} mm"


def image_actions(live: LiveImaging) -> list[Action]:
    acts = [
        Action("freeze", "Unfreeze" if live.frozen else "Freeze", live.frozen),
        Action("capture_still", "Still"),
        Action("capture_clip", "Clip"),
        Action("needle", "Needle ON" if live.needle_enhance else "Needle off", live.needle_enhance),
        Action("depth:-", "Depth -"),
        Action("depth:+", "Depth +"),
        Action("gain:-", "Gain -"),
        Action("gain:+", "Gain +"),
        Action("dr:-", "DR -"),
        Action("dr:+", "DR +"),
        Action("persistence", f"Persist: {live.persistence_name()}"),
    ]
    for b in range(TGC_BANDS):
        acts += [Action(f"tgc:{b}:-", f"TGC{b + 1} -"), Action(f"tgc:{b}:+", f"TGC{b + 1} +")]
    return acts


@dataclass(frozen=True)
class Strip:
    actions: tuple[Action, ...]  # fixed beside the image, top to bottom, at most STRIP_MAX
    rest: tuple[Action, ...]  # the step's other buttons, in the panel above (it may scroll)


def sterile_strip(
    view: StepView, speaker: int = 0, finish_armed: bool = False, name: Callable[[str], str] = str
) -> Strip | None:
    """The fixed strip for a STOP or injection step (None for any other step); ``name`` names a person."""
    if view.kind == "injection":
        by_key = {a.key: a for a in view.actions}
        fixed = [by_key[k] for k in INJECTION_STRIP if k in by_key]
        fixed = [_finish(a, finish_armed) if a.key == "finish" else a for a in fixed]
        rest = tuple(a for a in view.actions if a.key not in INJECTION_STRIP)
        return Strip(tuple(fixed[:STRIP_MAX]), rest)
    if view.kind == "two_person_stop":
        return _stop_strip(view, speaker, name)
    return None


def _finish(a: Action, armed: bool) -> Action:
    return Action(a.key, FINISH_ARMED_LABEL if armed else "Finish injection", armed, a.primary)


def _stop_strip(view: StepView, speaker: int, name: Callable[[str], str]) -> Strip:
    """One person at a time states the side: that person's side buttons, and a button for the next."""
    members: list[str] = []
    sides: list[str] = []
    done: set[str] = set()
    for a in view.actions:
        _, member, side = a.key.split(":", 2)
        if member not in members:
            members.append(member)
        if side not in sides:
            sides.append(side)
        if a.selected:
            done.add(member)
    # Those who have not stated the side come first; then those who have, so a mis-tap can be restated.
    order = [m for m in members if m not in done] + [m for m in members if m in done]
    who = order[speaker % len(order)] if order else ""
    stated = {a.key.split(":", 2)[2] for a in view.actions if a.selected and a.key.split(":", 2)[1] == who}
    acts = [
        Action(f"stop:{who}:{s}", f"{name(who)} states {s.upper()}", s in stated, primary=s not in stated)
        for s in sides
    ]
    if len(order) > 1:
        acts.append(Action(NEXT_SPEAKER, f"Not {name(who)}: next person"))
    return Strip(tuple(acts[:STRIP_MAX]), ())


def depth_marks(cal: Calibration, depth_mm: float) -> list[tuple[float, str]]:
    """Whole centimetres down the image: (image row from the top, number in cm), skin line first."""
    marks = []
    for cm in range(0, int(depth_mm // 10) + 1):
        v = cal.to_px(0.0, cm * 10.0)[1]
        if 0 <= v <= cal.height_px - 1:
            marks.append((v, str(cm)))
    return marks
