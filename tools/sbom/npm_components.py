"""npm components from ``package-lock.json`` files (lockfileVersion 2/3: the ``packages`` map)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote


def components(lock: Path) -> list[dict[str, Any]]:
    doc = json.loads(lock.read_text())
    out = []
    for key, entry in sorted(doc.get("packages", {}).items()):
        if not key or "node_modules/" not in key:
            continue  # "" is the project itself
        name = entry.get("name") or key.rsplit("node_modules/", 1)[1]
        version = entry.get("version")
        if not version:
            continue  # a link or a bundled placeholder with no published version
        scope, _, base = name.rpartition("/")
        purl = f"pkg:npm/{quote(scope) + '/' if scope else ''}{base}@{version}"
        comp: dict[str, Any] = {
            "type": "library",
            "bom-ref": f"{purl}#{lock.parent.name}/{key}",
            "name": name,
            "version": version,
            "purl": purl,
            "licenses": [{"license": {"name": str(entry.get("license") or "NOASSERTION")}}],
            "properties": [{"name": "sonocart:npm-lock", "value": str(lock)}],
        }
        if str(entry.get("dev", False)).lower() == "true":
            comp["scope"] = "excluded"
        integrity = str(entry.get("integrity", ""))
        if integrity.startswith("sha512-"):
            comp["hashes"] = [{"alg": "SHA-512", "content": base64.b64decode(integrity[7:]).hex()}]
        out.append(comp)
    return out
