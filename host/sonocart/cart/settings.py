"""Cart settings the touchscreen edits, kept as plain data in one JSON file (no clinical rules here).

Pedal mapping per context, idle lock time, the operator roster with PINs (stored as salted hashes),
display size and the PACS destination. Settings are data that is never lost: :func:`load_settings` refuses
an unreadable or invalid file (a wrong type, a value out of range, an unknown key) with a
:class:`SettingsError` naming the file and the field, and leaves the file as it was; only a missing file
gives the defaults, with an empty roster. The demo team exists only when asked for (``demo=True``), only
over an empty roster, and is never written to the file. A write is atomic and private (0600).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sonocart.journal.private_fs import private_dir

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
IDLE_LOCK_RANGE_S = (10.0, 3600.0)
#: One aliquot: at least the form's smallest step, at most the largest syringe (procedures.medications).
ALIQUOT_RANGE_ML = (0.5, 50.0)
MAX_FILE_BYTES = 1 << 20
MAX_OPERATORS = 200
DEMO_PIN = "1234"
_PIN_HASH = re.compile(r"^(scrypt\$[0-9a-f]{32}\$[0-9a-f]{128}|[0-9a-f]{1,64}\$[0-9a-f]{64})$")
_SCREEN_SIZE = re.compile(r"^[1-9][0-9]{2,4}x[1-9][0-9]{2,4}$")


class SettingsError(ValueError):
    """The settings cannot be used as they are; the message names the file and the field."""


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


#: scrypt (memory-hard: 16 MiB per guess at n = 2**14, r = 8), so the 10**4 four-digit PINs cannot be
#: tried in minutes on one core as PBKDF2-50k allowed; the screen lock adds an attempt limit too.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 14, 8, 1


def hash_pin(pin: str, salt: str | None = None) -> str:
    """``scrypt$<salt hex>$<digest hex>``: what a settings file stores for a PIN."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.scrypt(
        pin.encode(), salt=bytes.fromhex(salt), n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024
    ).hex()
    return f"scrypt${salt}${digest}"


def pin_matches(pin: str, stored: str) -> bool:
    """Checks a scrypt hash, or one written before scrypt (PBKDF2-SHA256, 50 000 rounds)."""
    if stored.startswith("scrypt$"):
        _, salt, _digest = stored.split("$", 2)
        return secrets.compare_digest(hash_pin(pin, salt), stored)
    salt, _, _digest = stored.partition("$")
    legacy = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), 50_000).hex()
    return secrets.compare_digest(f"{salt}${legacy}", stored)


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
    #: The roster is the demo team (``--demo``): shown on screen, never saved.
    demo: bool = field(default=False, compare=False)

    def validate(self, where: str = "settings") -> None:
        """Check every field as a loaded file is checked (the touchscreen's edits go through here)."""
        _Check(where).settings(self.to_dict())

    def operator(self, operator_id: str) -> Operator | None:
        return next((o for o in self.operators if o.id == operator_id), None)

    def check_pin(self, operator_id: str, pin: str) -> bool:
        op = self.operator(operator_id)
        return op is not None and pin_matches(pin, op.pin_hash)

    # -- persistence ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """What the file holds: every field but ``demo``, and never the demo team."""
        out = asdict(self)
        del out["demo"]
        if self.demo:
            out["operators"] = []
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def save(self, path: Path) -> None:
        """Validate, then replace the file atomically with a private (0600) copy; fsync before the rename."""
        self.validate(str(path))
        if not path.parent.is_dir():  # a new folder is owner-only; an existing one keeps its mode
            private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # an old temporary file may have had another mode
            os.write(fd, self.to_json().encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)


def load_settings(path: Path, *, demo: bool) -> UiSettings:
    """The cart's settings from ``path``; a missing file gives the defaults with an empty roster.

    Raises :class:`SettingsError` (naming the file and the field) for a file that cannot be read or holds
    anything invalid; the file is never modified here. With ``demo`` and an empty roster the demo team
    (PIN 1234) is installed in memory only and ``settings.demo`` is set so the screen can say so; a real
    roster is never replaced.
    """
    where = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        settings = UiSettings()
    except OSError as exc:
        raise SettingsError(f"{where}: cannot be read ({exc.strerror})") from exc
    else:
        if size > MAX_FILE_BYTES:
            raise SettingsError(f"{where}: {size} bytes is too large for a settings file")
        settings = _parse(where, _read(path, where))
    if demo and not settings.operators:
        settings.operators = demo_operators()
        settings.demo = True
    return settings


def _read(path: Path, where: str) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise SettingsError(f"{where}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"{where}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise SettingsError(f"{where}: JSON nested too deeply") from exc


def _parse(where: str, raw: Any) -> UiSettings:
    _Check(where).settings(raw)
    base = UiSettings()
    return UiSettings(
        pedal_map={**base.pedal_map, **{ctx: dict(keys) for ctx, keys in raw.get("pedal_map", {}).items()}},
        idle_lock_s=float(raw.get("idle_lock_s", base.idle_lock_s)),
        aliquot_ml=float(raw.get("aliquot_ml", base.aliquot_ml)),
        operators=[Operator(**o) for o in raw.get("operators", [])],
        pacs=PacsDestination(**{**asdict(base.pacs), **raw.get("pacs", {})}),
        screen_size=raw.get("screen_size", base.screen_size),
    )


class _Check:
    """Every field of a settings mapping, typed exactly and in range; the first fault is the error."""

    FIELDS = ("pedal_map", "idle_lock_s", "aliquot_ml", "operators", "pacs", "screen_size")

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, name: str, message: str) -> SettingsError:
        return SettingsError(f"{self.where}: {name} {message}")

    def obj(self, name: str, value: Any, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(name, f"= {value!r} is not an object")
        unknown = [k for k in value if k not in known]
        if unknown:
            key = repr(unknown[0])[1:-1][:64]  # escaped: a hostile key cannot break the one-line message
            raise self.fail(
                f"{name}.{key}" if name else key,
                f"is not a known setting; known: {list(known)}",
            )
        return value

    def number(self, name: str, value: Any, lo: float, hi: float, unit: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(name, f"= {value!r} is not a number")
        if not lo <= value <= hi:
            raise self.fail(name, f"= {value:g} is out of range {lo:g}..{hi:g} {unit}")

    def text(self, name: str, value: Any, max_len: int, pattern: re.Pattern[str] | None = None) -> None:
        if not isinstance(value, str) or not value or len(value) > max_len:
            raise self.fail(name, f"= {value!r} is not text of 1 to {max_len} characters")
        if pattern is not None and not pattern.match(value):
            raise self.fail(name, f"= {value!r} is not in the expected form")

    def settings(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise SettingsError(f"{self.where}: holds a JSON {type(raw).__name__}, not a settings object")
        self.obj("", raw, self.FIELDS)
        for ctx, keys in self.obj("pedal_map", raw.get("pedal_map", {}), PEDAL_CONTEXTS).items():
            for key, action in self.obj(f"pedal_map.{ctx}", keys, PEDAL_KEYS).items():
                if action not in PEDAL_ACTIONS:
                    raise self.fail(
                        f"pedal_map.{ctx}.{key}", f"= {action!r} is not one of {list(PEDAL_ACTIONS)}"
                    )
        if "idle_lock_s" in raw:
            self.number("idle_lock_s", raw["idle_lock_s"], *IDLE_LOCK_RANGE_S, "s")
        if "aliquot_ml" in raw:
            self.number("aliquot_ml", raw["aliquot_ml"], *ALIQUOT_RANGE_ML, "mL")
        if "screen_size" in raw:
            self.text("screen_size", raw["screen_size"], 11, _SCREEN_SIZE)
        self._pacs(self.obj("pacs", raw.get("pacs", {}), ("host", "port", "called_aet", "calling_aet")))
        self._operators(raw.get("operators", []))

    def _pacs(self, pacs: dict[str, Any]) -> None:
        if "host" in pacs:
            self.text("pacs.host", pacs["host"], 253)
        if "port" in pacs:
            port = pacs["port"]
            if isinstance(port, bool) or not isinstance(port, int):
                raise self.fail("pacs.port", f"= {port!r} is not a whole number")
            self.number("pacs.port", port, 1, 65535, "")
        for aet in ("called_aet", "calling_aet"):
            if aet in pacs:
                self.text(f"pacs.{aet}", pacs[aet], 16)  # a DICOM AE title is at most 16 characters

    def _operators(self, operators: Any) -> None:
        if not isinstance(operators, list) or len(operators) > MAX_OPERATORS:
            raise self.fail("operators", f"is not a list of at most {MAX_OPERATORS} operators")
        seen: set[str] = set()
        for i, op in enumerate(operators):
            name = f"operators[{i}]"
            self.obj(name, op, ("id", "name", "pin_hash"))
            missing = [k for k in ("id", "name", "pin_hash") if k not in op]
            if missing:
                raise self.fail(name, f"lacks {missing}")
            self.text(f"{name}.id", op["id"], 32)
            self.text(f"{name}.name", op["name"], 80)
            self.text(f"{name}.pin_hash", op["pin_hash"], 200, _PIN_HASH)
            if op["id"] in seen:
                raise self.fail(f"{name}.id", f"= {op['id']!r} is used twice")
            seen.add(op["id"])


def demo_operators() -> list[Operator]:
    """The demo team (PIN 1234 each): only with ``--demo``, on simulated devices, and said so on screen."""
    return [
        Operator("dr_ana", "Dr Ana", hash_pin(DEMO_PIN)),
        Operator("rn_ben", "RN Ben", hash_pin(DEMO_PIN)),
        Operator("odp_cy", "ODP Cy", hash_pin(DEMO_PIN)),
    ]
