"""The start screen: procedure from the catalogue, patient identifiers, weight, operator."""

from __future__ import annotations

from dataclasses import dataclass, field

from sonocart.cart.session import CartSession
from sonocart.cart.settings import DEMO_PIN

FIELDS = ("name", "id", "birth_date", "weight")


@dataclass
class StartForm:
    session: CartSession
    procedure_id: str = ""
    operator: str = ""
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    error: str = ""

    def procedures(self) -> list[tuple[str, str]]:
        """(id, short name): "Ultrasound-guided" is implied on this cart."""
        return sorted(
            (p.id, p.name.removeprefix("Ultrasound-guided ").capitalize())
            for p in self.session.catalogue.procedures.values()
        )

    def operators(self) -> list[str]:
        return [o.id for o in self.session.settings.operators]

    def roster_note(self) -> str:
        """What the team must know about the roster: the demo team's known PIN, or that there is none."""
        settings = self.session.settings
        if settings.demo:
            return f"DEMO team (PIN {DEMO_PIN}): simulated devices, not for patients"
        if not settings.operators:
            return "No operators registered in the cart settings: a procedure cannot be started"
        return ""

    def missing(self) -> list[str]:
        out = [f for f in ("name", "id", "birth_date") if not self.values[f].strip()]
        if not self.procedure_id:
            out.append("procedure")
        if not self.operator:
            out.append("operator")
        return out

    def start(self) -> bool:
        missing = self.missing()
        if missing:
            self.error = "needed: " + ", ".join(missing)
            return False
        weight: float | None
        try:
            weight = float(self.values["weight"]) if self.values["weight"].strip() else None
        except ValueError:
            self.error = "weight must be a number (kg)"
            return False
        patient = {
            "name": self.values["name"].strip().upper().replace(" ", "^"),
            "id": self.values["id"].strip(),
            "birth_date": self.values["birth_date"].strip(),
        }
        try:
            self.session.start(self.procedure_id, patient, weight, self.operator)
        except (ValueError, OSError) as exc:
            self.error = str(exc)
            return False
        self.error = ""
        return True
