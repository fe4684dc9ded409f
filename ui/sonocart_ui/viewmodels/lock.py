"""The lock screen's keypad: who is typing and the PIN so far. Whether and when to lock is the core's."""

from __future__ import annotations

from sonocart.cart.lock import ScreenLock


class LockKeypad:
    def __init__(self, lock: ScreenLock) -> None:
        self.lock = lock
        self.operator_choice = lock.session.operator
        self.pin = ""
        self.message = "Locked: choose who you are and enter your PIN"

    def reset(self) -> None:
        """A fresh keypad each time the screen locks (the PIN typed before is gone)."""
        self.operator_choice = self.lock.session.operator
        self.pin = ""
        self.message = "Locked: choose who you are and enter your PIN"

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
            if self.lock.unlock(self.operator_choice, self.pin):
                self.pin = ""
                return True
            self.pin = ""
            self.message = "Wrong PIN or operator: try again"
        self.lock.session.changed()
        return False


def banner_shown(banner: str | None, locked: bool) -> str:
    """Who the open record is for, as the window's band shows it: nobody's identity on a locked cart
    (docs/ui.md, "A locked cart names no patient"); it is back the moment a team member unlocks."""
    return "" if locked or banner is None else banner
