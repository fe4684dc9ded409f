"""``python3 -m tools.sbom``: write the CycloneDX 1.5 JSON bill of materials of the cart's software.

Python: every pin of packaging/requirements.lock, licence from the wheel actually shipped (build/wheels).
npm: every ``package-lock.json`` tracked by git (the emulated-Pico tooling; ``scope: excluded`` marks
development-only entries). Debian: the cart's packages and their dependencies, from dpkg. Firmware: the
pedal-board firmware (version from the build's manifest, else ``firmware/version.py``) and the stock
MicroPython image it runs on (packaging/firmware-base.json). Stdlib only, so the system Python runs it.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from tools.sbom import debian_components, npm_components, python_components

REPO = Path(__file__).resolve().parents[2]


def firmware_version(build_manifest: Path | None) -> str:
    if build_manifest is not None and build_manifest.is_file():
        return str(json.loads(build_manifest.read_text())["version"])
    tree = ast.parse((REPO / "firmware" / "version.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "FIRMWARE_VERSION" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise ValueError("firmware/version.py has no FIRMWARE_VERSION")


def firmware_components(build_manifest: Path | None) -> list[dict[str, Any]]:
    version = firmware_version(build_manifest)
    own = {
        "type": "firmware",
        "bom-ref": f"pkg:generic/sonocart-pedal-firmware@{version}",
        "name": "sonocart-pedal-firmware",
        "purl": f"pkg:generic/sonocart-pedal-firmware@{version}",
        "version": version,
        "description": "Pedal-and-indicator board application (MicroPython, compiled with mpy-cross)",
        "licenses": [{"license": {"name": "Proprietary (Sonocart)"}}],
    }
    base = json.loads((REPO / "packaging" / "firmware-base.json").read_text())
    return [own, *base["components"]]


def npm_locks() -> list[Path]:
    proc = subprocess.run(["git", "ls-files", "*package-lock.json"], cwd=REPO, capture_output=True, text=True)
    return [REPO / p for p in proc.stdout.split()] if proc.returncode == 0 else []


def build_sbom(
    lock: Path, wheels: Path, debian_list: Path, npm: list[Path], fw_manifest: Path | None, now: float
) -> dict[str, Any]:
    py, app = python_components.components(lock, wheels)
    comps = py + [c for path in npm for c in npm_components.components(path)]
    comps += debian_components.components(debian_list) + firmware_components(fw_manifest)
    metadata: dict[str, Any] = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "tools": {"components": [{"type": "application", "name": "tools.sbom", "group": "sonocart"}]},
    }
    if app is not None:
        metadata["component"] = app
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": metadata,
        "components": comps,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m tools.sbom", description=__doc__)
    p.add_argument("--lock", type=Path, default=REPO / "packaging" / "requirements.lock")
    p.add_argument("--wheels", type=Path, default=REPO / "build" / "wheels")
    p.add_argument("--debian", type=Path, default=REPO / "packaging" / "debian-packages.txt")
    p.add_argument("--npm-lock", type=Path, action="append", help="package-lock.json (default: git ls-files)")
    p.add_argument(
        "--firmware-manifest", type=Path, default=REPO / "build" / "firmware" / "pico" / "manifest.json"
    )
    p.add_argument("--out", type=Path, default=REPO / "build" / "sbom.cdx.json")
    args = p.parse_args(argv)
    npm = args.npm_lock if args.npm_lock is not None else npm_locks()
    try:
        doc = build_sbom(args.lock, args.wheels, args.debian, npm, args.firmware_manifest, time.time())
    except (OSError, LookupError, ValueError, subprocess.CalledProcessError) as exc:
        print(f"sbom: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    kinds: dict[str, int] = {}
    for c in doc["components"]:
        key = c["type"] if c["type"] == "firmware" else c["purl"].split(":")[1].split("/")[0]
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{args.out}: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
