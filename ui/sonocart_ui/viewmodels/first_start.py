"""The first-start form: the first administrator's id, name and PIN twice (policy: cart/first_start.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sonocart.cart.first_start import FirstStartError, register_first_administrator
from sonocart.cart.session import CartSession

FIELDS = ("id", "name", "pin", "pin_again")


@dataclass
class FirstStartForm:
    session: CartSession
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    message: str = "New cart: register the first administrator (there is no default PIN)"
    error: str = ""

    def submit(self) -> bool:
        """Register; on success the PIN fields are cleared and the cart goes on to the start screen."""
        v = self.values
        try:
            admin = register_first_administrator(self.session, v["id"], v["name"], v["pin"], v["pin_again"])
        except FirstStartError as exc:
            self.error = str(exc)
            v["pin"] = v["pin_again"] = ""
            return False
        self.error = ""
        self.values = dict.fromkeys(FIELDS, "")
        self.message = f"{admin.id} registered as the administrator"
        return True
