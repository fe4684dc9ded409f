"""The imaging panel's buttons over the core's live imaging (keys handled by ``LiveImaging.press``)."""

from __future__ import annotations

from sonocart.cart.live import TGC_BANDS, LiveImaging
from sonocart_ui.viewmodels.step_form import Action


def image_actions(live: LiveImaging) -> list[Action]:
    acts = [
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
