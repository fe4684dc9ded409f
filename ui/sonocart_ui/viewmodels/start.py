"""The start screen: procedure from the catalogue, patient identifiers, weight, operator."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sonocart.cart.resume import OpenRecord, open_records
from sonocart.cart.session import CartSession
from sonocart.cart.settings import DEMO_PIN
from sonocart.procedures.patient import person_name

FIELDS = ("family_name", "given_name", "id", "birth_date", "weight")
#: What each field is called where a person reads it (the error line names them so).
LABELS = {
    "family_name": "family name",
    "given_name": "given name",
    "id": "hospital number",
    "birth_date": "date of birth",
}


@dataclass
class StartForm:
    session: CartSession
    procedure_id: str = ""
    operator: str = ""
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    error: str = ""
    open: list[OpenRecord] = field(default_factory=list)

    def find_open(self) -> None:
        """Look for records left open (a crash, a power cut): read once when the screen is shown."""
        s = self.session
        self.open = [] if s.record is not None else open_records(s.records_root, s.catalogue, s.clock)

    def resume_offers(self) -> list[tuple[str, str]]:
        """(record folder, what a person reads): procedure, phase, step and the local time it opened."""
        out = []
        for r in self.open:
            if r.error:
                out.append((str(r.path), f"[!] A record cannot be read ({r.path.name}): call a technician"))
                continue
            opened = time.strftime("%H:%M on %d %b", time.localtime(r.opened_wall))
            name = r.procedure.removeprefix("Ultrasound-guided ")
            out.append((str(r.path), f"Resume {name}, opened {opened} · {r.phase}: {r.step}"))
        return out

    def resume(self, path: str) -> bool:
        """Re-open a record at its phase, step and timers (the core folds its journal back)."""
        if not self.operator:
            self.error = "choose the operator first, then resume"
            return False
        if any(r.error for r in self.open if str(r.path) == path):
            self.error = "this record cannot be read: it stays as it is for a technician"
            return False
        try:
            self.session.resume(Path(path), self.operator)
        except (ValueError, OSError) as exc:
            self.error = str(exc)
            return False
        self.error = ""
        self.open = []
        return True

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
        out = [LABELS[f] for f in LABELS if not self.values[f].strip()]
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
        try:
            patient = {  # stored as a DICOM PN, FAMILY^GIVEN: nothing guesses which word is which
                "name": person_name(self.values["family_name"], self.values["given_name"]),
                "id": self.values["id"].strip(),
                "birth_date": self.values["birth_date"].strip(),
            }
            self.session.start(self.procedure_id, patient, weight, self.operator)
        except (ValueError, OSError) as exc:
            self.error = str(exc)
            return False
        self.error = ""
        return True
