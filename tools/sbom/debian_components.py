"""Debian components: the cart's packages (packaging/debian-packages.txt) and everything they depend on.

Versions and architectures come from ``dpkg-query`` on the machine that runs it (the cart, or a build
machine of the same release); licences from each package's DEP-5 ``copyright`` file where it is machine
readable, else a pointer to that file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

FIELDS = "${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\t${Depends}\t${Pre-Depends}\n"


def installed() -> dict[str, tuple[str, str, list[str]]]:
    """name -> (version, architecture, dependency names) for every installed package."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", FIELDS], capture_output=True, text=True, check=True
    ).stdout
    pkgs: dict[str, tuple[str, str, list[str]]] = {}
    for line in out.splitlines():
        name, version, arch, status, deps, pre = (line.split("\t") + [""] * 6)[:6]
        if not status.startswith("ii"):
            continue
        alternatives = [alt for d in f"{deps},{pre}".split(",") if d.strip() for alt in d.split("|")]
        names = [re.split(r"[\s:(]", a.strip(), maxsplit=1)[0] for a in alternatives]
        pkgs[name.split(":")[0]] = (version, arch, [n for n in names if n])
    return pkgs


def closure(roots: list[str], pkgs: dict[str, tuple[str, str, list[str]]]) -> list[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in pkgs]
    missing = [r for r in roots if r not in pkgs]
    if missing:
        raise LookupError(f"not installed here: {', '.join(missing)} (install them or run on the cart)")
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [d for d in pkgs[name][2] if d in pkgs and d not in seen]
    return sorted(seen)


def copyright_licenses(name: str, doc: Path = Path("/usr/share/doc")) -> list[dict[str, Any]]:
    path = doc / name / "copyright"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return [{"license": {"name": "NOASSERTION"}}]
    if text.startswith("Format:"):
        found = re.findall(r"^License:[ \t]*(\S[^\n]*)", text, flags=re.M)
        names = list(dict.fromkeys(f.strip() for f in found))
        if names:
            return [{"license": {"name": n[:200]}} for n in names]
    return [{"license": {"name": f"see {path}"}}]


def components(package_list: Path) -> list[dict[str, Any]]:
    roots = [
        ln.strip() for ln in package_list.read_text().splitlines() if ln.strip() and not ln.startswith("#")
    ]
    pkgs = installed()
    out = []
    for name in closure(roots, pkgs):
        version, arch, _deps = pkgs[name]
        purl = f"pkg:deb/debian/{name}@{version}?arch={arch}"
        out.append(
            {
                "type": "library",
                "bom-ref": purl,
                "name": name,
                "version": version,
                "purl": purl,
                "licenses": copyright_licenses(name),
                "properties": [{"name": "sonocart:direct", "value": str(name in roots).lower()}],
            }
        )
    return out
