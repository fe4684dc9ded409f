"""Cart settings the touchscreen edits, kept as plain data in one JSON file (no clinical rules here).

Pedal mapping per context, idle lock time, the operator roster with PINs (stored as salted hashes),
display size and the PACS destination. A missing or unreadable file gives the defaults, so the cart
always starts; a write is atomic (a crash never leaves half a file).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Pedal actions the app knows; the mapping names them per (context, pedal, gesture).
PEDAL_ACTIONS = (
    "none",
    "freeze",
    "capture_still",
    "capture_clip",
    "acknowledge_or_confirm",
    "log_aliquot",
    "aspirate_negative",
)
#: "sterile": prep, STOP and scanning; "injection": the injection step.
PEDAL_CONTEXTS = ("sterile", "injection")
PEDAL_KEYS = ("A tap", "A hold", "B tap", "B hold")


def default_pedal_map() -> dict[str, dict[str, str]]:
    return {
        "sterile": {
            "A tap": "freeze",
            "A hold": "capture_clip",
            "B tap": "capture_still",
            "B hold": "acknowledge_or_confirm",
        },
        "injection": {
            "A tap": "freeze",
            "A hold": "capture_still",
            "B tap": "log_aliquot",
            "B hold": "acknowledge_or_confirm",
        },
    }


def hash_pin(pin: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), 50_000).hex()
    return f"{salt}${digest}"


def pin_matches(pin: str, stored: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return secrets.compare_digest(hash_pin(pin, salt), stored)


@dataclass
class Operator:
    id: str
    name: str
    pin_hash: str


@dataclass
class PacsDestination:
    host: str = "127.0.0.1"
    port: int = 4242
    called_aet: str = "ORTHANC"
    calling_aet: str = "SONOCART"


@dataclass
class UiSettings:
    pedal_map: dict[str, dict[str, str]] = field(default_factory=default_pedal_map)
    idle_lock_s: float = 120.0
    aliquot_ml: float = 4.0
    operators: list[Operator] = field(default_factory=list)
    pacs: PacsDestination = field(default_factory=PacsDestination)
    screen_size: str = "1280x800"

    def validate(self) -> None:
        for ctx, keys in self.pedal_map.items():
            if ctx not in PEDAL_CONTEXTS:
                raise ValueError(f"unknown pedal context {ctx!r}")
            for key, action in keys.items():
                if key not in PEDAL_KEYS or action not in PEDAL_ACTIONS:
                    raise ValueError(f"bad pedal mapping {ctx}/{key} = {action!r}")
        if not 10 <= self.idle_lock_s <= 3600:
            raise ValueError("idle lock time must be 10 s to 1 h")

    def operator(self, operator_id: str) -> Operator | None:
        return next((o for o in self.operators if o.id == operator_id), None)

    def check_pin(self, operator_id: str, pin: str) -> bool:
        op = self.operator(operator_id)
        return op is not None and pin_matches(pin, op.pin_hash)

    # -- persistence ---------------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> UiSettings:
        base = cls()
        out = cls(
            pedal_map={**base.pedal_map, **raw.get("pedal_map", {})},
            idle_lock_s=float(raw.get("idle_lock_s", base.idle_lock_s)),
            aliquot_ml=float(raw.get("aliquot_ml", base.aliquot_ml)),
            operators=[Operator(**o) for o in raw.get("operators", [])],
            pacs=PacsDestination(**raw.get("pacs", {})),
            screen_size=str(raw.get("screen_size", base.screen_size)),
        )
        out.validate()
        return out

    @classmethod
    def load(cls, path: Path) -> UiSettings:
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        self.validate()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(self.to_json())
        os.replace(tmp, path)


def demo_operators() -> list[Operator]:
    """The simulated cart's team (PIN 1234 each) so `make run` works out of the box."""
    return [
        Operator("dr_ana", "Dr Ana", hash_pin("1234")),
        Operator("rn_ben", "RN Ben", hash_pin("1234")),
        Operator("odp_cy", "ODP Cy", hash_pin("1234")),
    ]
