"""Screen lock: after an idle time outside the sterile phases a PIN is needed; the PIN says who acts next.

Policy only (the keypad is the view's): when the cart may lock (never while sterile, never during LAST
emergency mode), and that unlocking needs a roster operator's PIN. While locked, pedal gestures are not
acted on and each is reported and journaled (see :mod:`sonocart.cart.pedal_actions`).
"""

from __future__ import annotations

from collections.abc import Callable

from sonocart.cart.events import CartEvent, LockChanged
from sonocart.cart.session import CartSession


class ScreenLock:
    def __init__(
        self,
        session: CartSession,
        clock: Callable[[], float],
        emit: Callable[[CartEvent], None] = lambda _ev: None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.emit = emit
        self.locked = False
        self.last_activity = clock()

    def touched(self) -> None:
        self.last_activity = self.clock()

    def may_lock(self) -> bool:
        """No PIN with sterile gloves, none during a resuscitation, and none before anyone has a PIN."""
        if not self.session.settings.operators:  # a new cart (first start): nobody could unlock it
            return False
        return not (self.session.sterile() or self.session.last_active())

    def check(self) -> bool:
        """Lock once the idle time has passed where locking is allowed; True if locked."""
        if not self.may_lock():
            self.last_activity = self.clock()
        elif not self.locked and self.clock() - self.last_activity >= self.session.settings.idle_lock_s:
            self.lock()
        return self.locked

    def lock(self) -> bool:
        """Lock now (the Lock button); refused while sterile or during LAST. True when locked."""
        if not self.may_lock():
            why = "while sterile or during LAST"
            if not self.session.settings.operators:
                why = "before an administrator is registered (nobody could unlock it)"
            self.session.say(f"the screen does not lock {why}", ok=False)
            return False
        if not self.locked:
            self.locked = True
            self.session.changed()
            self.emit(LockChanged(True, self.session.operator))
        return True

    def unlock(self, operator_id: str, pin: str) -> bool:
        """True (and ``operator_id`` operates from now on) when the PIN matches that roster operator."""
        if not self.session.settings.check_pin(operator_id, pin):
            return False
        self.locked = False
        self.session.operator = operator_id
        self.last_activity = self.clock()
        self.session.say(f"unlocked: {operator_id} is operating")
        self.emit(LockChanged(False, operator_id))
        return True
