"""First start on a new cart: no default PIN, so the first administrator is registered on the screen.

A cart installed from scratch has an empty roster and no demo team (that exists only with ``--demo``,
on simulated devices). Until someone is registered nothing can start; the screen asks for the first
administrator's login name, full name and PIN, twice. The PIN rules follow NIST SP 800-63B §5.1.1.2 for a
secret chosen by its user: long enough (here 6–12 digits, against 4 for everyday operators added later),
and not a value from a list of obvious ones (one digit repeated, a straight run up or down, the demo
PIN). Registration is refused once the roster holds anyone, so the screen cannot be used to add an
operator behind the administrators' back. The file is written as every settings change is (validated,
atomic, 0600).
"""

from __future__ import annotations

import itertools
import re

from sonocart.cart.session import CartSession
from sonocart.cart.settings import DEMO_PIN, Operator, SettingsError, hash_pin

PIN_DIGITS = (6, 12)
_ID = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")


class FirstStartError(ValueError):
    """The entry is refused; the message is shown on screen as it is."""


def needs_first_administrator(session: CartSession) -> bool:
    """True while the cart has nobody who could sign in (and is not running the demo team)."""
    return not session.settings.operators and not session.settings.demo


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be an administrator's PIN, or None."""
    lo, hi = PIN_DIGITS
    if not pin.isascii() or not pin.isdigit() or not lo <= len(pin) <= hi:
        return f"the PIN must be {lo} to {hi} digits"
    if len(set(pin)) == 1:
        return "the PIN must not be one digit repeated"
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        return "the PIN must not be a run of digits up or down"
    if DEMO_PIN in pin:
        return f"the PIN must not contain the demo PIN {DEMO_PIN}"
    return None


def register_first_administrator(
    session: CartSession, operator_id: str, name: str, pin: str, pin_again: str
) -> Operator:
    """Add the first administrator to the roster and save the settings; raises :class:`FirstStartError`."""
    if not needs_first_administrator(session):
        raise FirstStartError("the cart already has operators: add more in settings, signed in")
    if session.settings_path is None:
        raise FirstStartError("this cart has no settings file to keep the administrator in")
    operator_id, name = operator_id.strip().lower(), " ".join(name.split())
    if not _ID.match(operator_id):
        raise FirstStartError(
            "the login name must be one word of 2 to 32 letters or digits (. - _ allowed), "
            "starting with a letter"
        )
    if not 1 <= len(name) <= 80:
        raise FirstStartError("the name must be 1 to 80 characters")
    problem = pin_problem(pin)
    if problem is not None:
        raise FirstStartError(problem)
    if pin != pin_again:
        raise FirstStartError("the two PINs differ")
    admin = Operator(operator_id, name, hash_pin(pin))
    session.settings.operators.append(admin)
    try:
        session.settings.save(session.settings_path)
    except (SettingsError, OSError) as exc:
        session.settings.operators.remove(admin)
        raise FirstStartError(f"the settings could not be saved: {exc}") from exc
    session.changed()
    return admin
