"""Which screen shows which phase of a procedure (a view mapping; the phases are the catalogue's)."""

from __future__ import annotations

from sonocart.cart.session import CartSession

PHASE_SCREENS = {
    "sign_in": "sign_in",
    "time_out": "time_out",
    "prep_stop_block": "live",
    "injection": "live",
    "sign_out": "sign_out",
    "observation": "observation",
    "completed": "summary",
}


def screen_for(session: CartSession) -> str:
    """The screen the procedure is at (start when none is open)."""
    phase = session.phase()
    return "start" if phase is None else PHASE_SCREENS.get(phase, "live")
