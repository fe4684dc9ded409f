"""Screen lock: after an idle time outside the sterile phase a PIN is needed; the PIN says who acts next."""

from __future__ import annotations

from collections.abc import Callable

from sonocart_ui.viewmodels.session import CartSession


class LockViewModel:
    def __init__(self, session: CartSession, clock: Callable[[], float]) -> None:
        self.session = session
        self.clock = clock
        self.locked = False
        self.last_activity = clock()
        self.operator_choice = ""
        self.pin = ""
        self.message = ""

    def touched(self) -> None:
        self.last_activity = self.clock()

    def check(self) -> bool:
        """Lock after the idle time, never while sterile (no PIN with sterile gloves) nor during LAST
        mode (no PIN during a resuscitation); True if locked."""
        if self.session.sterile() or self.session.last_active():
            self.last_activity = self.clock()
        elif not self.locked and self.clock() - self.last_activity >= self.session.settings.idle_lock_s:
            self.lock()
        return self.locked

    def lock(self) -> None:
        self.locked = True
        self.pin = ""
        self.operator_choice = self.session.operator
        self.message = "Locked: choose who you are and enter your PIN"
        self.session.changed()

    def press(self, key: str) -> bool:
        """Keypad and operator buttons; True when unlocked by this press."""
        name, _, arg = key.partition(":")
        if name == "op":
            self.operator_choice, self.pin = arg, ""
        elif name == "digit" and len(self.pin) < 8:
            self.pin += arg
        elif name == "back":
            self.pin = self.pin[:-1]
        elif name == "ok":
            return self._unlock()
        self.session.changed()
        return False

    def _unlock(self) -> bool:
        if self.session.settings.check_pin(self.operator_choice, self.pin):
            self.locked = False
            self.session.operator = self.operator_choice
            self.last_activity = self.clock()
            self.session.say(f"unlocked: {self.operator_choice} is operating")
            return True
        self.pin = ""
        self.message = "Wrong PIN or operator: try again"
        self.session.changed()
        return False
