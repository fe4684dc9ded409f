"""``make sbom``: a CycloneDX 1.5 document that CycloneDX's own schema accepts, listing what ships."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.install.conftest import REPO

NPM_LOCK = {
    "name": "emulated-pico",
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "emulated-pico", "dependencies": {"rp2040js": "1.4.1"}},
        "node_modules/rp2040js": {
            "version": "1.4.1",
            "resolved": "https://registry.example/rp2040js-1.4.1.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
            "license": "MIT",
        },
        "node_modules/@types/node": {"version": "22.0.0", "license": "MIT", "dev": True},
    },
}


def sbom(tmp_path: Path, wheels: Path, *extra: str) -> dict[str, Any]:
    lock = tmp_path / "package-lock.json"
    lock.write_text(json.dumps(NPM_LOCK))
    out = tmp_path / "sbom.cdx.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.sbom",
            "--wheels",
            str(wheels),
            "--npm-lock",
            str(lock),
            "--out",
            str(out),
            *extra,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(text) is None
    return dict(json.loads(text))


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in doc["components"] if c["name"].lower() == name]
    assert len(found) == 1, name
    return found[0]


@pytest.mark.slow
def test_the_sbom_lists_every_locked_python_package_npm_and_debian_component_and_the_firmware(
    wheelhouse: Path, tmp_path: Path
) -> None:
    doc = sbom(tmp_path, wheelhouse, "--firmware-manifest", str(tmp_path / "none.json"))
    pins = dict(
        re.findall(
            r"^([a-z0-9][a-z0-9._-]*)==(\S+)", (REPO / "packaging/requirements.lock").read_text(), flags=re.M
        )
    )
    for name in ("numpy", "kivy", "pyserial"):
        comp = by_name(doc, name)
        assert comp["version"] == pins[name]
        assert comp["purl"] == f"pkg:pypi/{name}@{pins[name]}"
        assert comp["licenses"], name
    assert "BSD-3-Clause" in by_name(doc, "numpy")["licenses"][0]["expression"]
    assert by_name(doc, "pyserial")["licenses"] == [{"license": {"name": "BSD License"}}]
    py = [c for c in doc["components"] if c["purl"].startswith("pkg:pypi/")]
    assert len(py) == len(pins)
    assert doc["metadata"]["component"]["name"] == "sonocart"
    # The firmware version as firmware/version.py states it (read here with a regex, not imported).
    fw = re.search(r'FIRMWARE_VERSION = "([^"]+)"', (REPO / "firmware/version.py").read_text())
    assert fw and by_name(doc, "sonocart-pedal-firmware")["version"] == fw.group(1)
    assert by_name(doc, "micropython")["version"] == "1.28.0"
    rp = by_name(doc, "rp2040js")
    assert rp["version"] == "1.4.1" and rp["licenses"] == [{"license": {"name": "MIT"}}]
    assert by_name(doc, "@types/node")["scope"] == "excluded"
    dpkg = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3"], capture_output=True, text=True)
    deb = by_name(doc, "python3")
    assert deb["version"] == dpkg.stdout and deb["purl"].startswith("pkg:deb/debian/python3@")
    assert by_name(doc, "libc6")  # reached through the dependency closure, not listed by us
    assert all(c.get("licenses") for c in doc["components"])


@pytest.mark.slow
def test_a_firmware_build_manifest_gives_the_firmware_version(wheelhouse: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"version": "0.4.2+g1234567", "target": "pico"}))
    doc = sbom(tmp_path, wheelhouse, "--firmware-manifest", str(manifest))
    assert by_name(doc, "sonocart-pedal-firmware")["version"] == "0.4.2+g1234567"
