"""Python components: every pin of the lock, with the licence read from the shipped wheel's METADATA."""

from __future__ import annotations

import hashlib
import re
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            pins[normalize(m.group(1))] = m.group(2)
    return pins


def wheel_metadata(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        msg = HeaderParser().parsestr(z.read(name).decode("utf-8", "replace"))
    return {
        "name": msg["Name"],
        "version": msg["Version"],
        "expression": msg.get("License-Expression"),
        "license": msg.get("License"),
        "classifiers": [c for c in msg.get_all("Classifier") or [] if c.startswith("License ::")],
        "summary": msg.get("Summary"),
    }


def licenses(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """CycloneDX licence choices: the SPDX expression when declared, else classifiers, else the free text."""
    if meta["expression"]:
        return [{"expression": meta["expression"].strip()}]
    names = [c.split(" :: ")[-1] for c in meta["classifiers"] if c.count("::") >= 2]
    if not names and meta["license"] and meta["license"].strip() not in ("", "UNKNOWN"):
        names = [meta["license"].strip().splitlines()[0][:200]]
    return [{"license": {"name": n}} for n in dict.fromkeys(names)] or [{"license": {"name": "NOASSERTION"}}]


def components(lock: Path, wheels: Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(every locked package, the sonocart application itself) from the lock and the wheel set."""
    pins = read_pins(lock)
    by_name: dict[str, Path] = {}
    for path in sorted(wheels.glob("*.whl")):
        by_name[normalize(path.name.split("-")[0])] = path
    out = []
    for name, version in sorted(pins.items()):
        wheel = by_name.get(name)
        if wheel is None:
            raise FileNotFoundError(f"no wheel for {name}=={version} in {wheels} (run make wheels)")
        meta = wheel_metadata(wheel)
        if meta["version"] != version:
            raise ValueError(f"{wheel.name} is {meta['version']}, the lock pins {version}")
        out.append(_component(name, meta, wheel))
    app = by_name.get("sonocart")
    return out, None if app is None else _component("sonocart", wheel_metadata(app), app, kind="application")


def _component(name: str, meta: dict[str, Any], wheel: Path, kind: str = "library") -> dict[str, Any]:
    purl = f"pkg:pypi/{name}@{meta['version']}"
    return {
        "type": kind,
        "bom-ref": purl,
        "name": name,
        "version": meta["version"],
        "description": (meta["summary"] or "")[:300],
        "licenses": licenses(meta),
        "purl": purl,
        "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(wheel.read_bytes()).hexdigest()}],
        "properties": [{"name": "sonocart:wheel", "value": wheel.name}],
    }
