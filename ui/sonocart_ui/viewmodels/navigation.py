"""Which screen shows which phase of a procedure (a view mapping; the phases are the catalogue's)."""

from __future__ import annotations

from sonocart.cart.first_start import needs_first_administrator
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
    """The screen the procedure is at (start when none is open; first start on a cart with no one)."""
    phase = session.phase()
    if phase is None and needs_first_administrator(session):
        return "first_start"
    return "start" if phase is None else PHASE_SCREENS.get(phase, "live")
