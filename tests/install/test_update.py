"""``sonocart update`` on an installed root: side by side, atomic switch, self-check, roll back, refusal.

Each test copies the session's real install (tests/install/conftest.py) and updates it with a real
bundle: the locked wheel set, a firmware build from mpy-cross, signed by a key made here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sonocart.firmware_tool.build import build
from tests.install.conftest import REPO
from tools.release.__main__ import collect, keygen, load_private
from tools.sbom.__main__ import build_sbom

pytestmark = pytest.mark.slow
LOCK = REPO / "packaging" / "requirements.lock"


@pytest.fixture(scope="module")
def release_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    private = tmp_path_factory.mktemp("keys") / "release.key"
    keygen(private)
    return private


@pytest.fixture(scope="module")
def firmware(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build("pico", tmp_path_factory.mktemp("fw"), version=("0.2.0", False, False)).out_dir


@pytest.fixture
def cart_root(copied_root: Path, release_key: Path) -> Path:
    root = copied_root
    keys = root / "etc/sonocart/release-keys"
    keys.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(release_key.with_suffix(".pem"), keys / "release.pem")
    (root / "var/lib/sonocart/settings.json").write_text('{"idle_lock_s": 300}')
    return root


def make_bundle(out: Path, key: Path, wheels: Path, firmware: Path, version: str) -> Path:
    from sonocart.update.bundle import write_bundle

    sbom = out.with_suffix(".cdx.json")
    doc = build_sbom(
        LOCK, wheels, REPO / "packaging/debian-packages.txt", [], firmware / "manifest.json", 0.0
    )
    sbom.write_text(json.dumps(doc))
    members, app, fw = collect(wheels, firmware, sbom, LOCK)
    write_bundle(
        out,
        version=version,
        app_version=app,
        firmware_version=fw,
        created="2026-12-01T00:00:00Z",
        members=members,
        key=load_private(key),
    )
    return out


def update(root: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sonocart", "update", str(bundle), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=900,
    )


def broken_wheels(wheelhouse: Path, dest: Path) -> Path:
    """The same wheel set, but the sonocart wheel's clinical catalogue cannot be parsed."""
    dest.mkdir()
    for wheel in wheelhouse.glob("*.whl"):
        if not wheel.name.startswith("sonocart-"):
            try:
                os.link(wheel, dest / wheel.name)
            except OSError:  # the checkout's build/ and this tmp_path are on different file systems
                (dest / wheel.name).symlink_to(wheel)
            continue
        with zipfile.ZipFile(wheel) as zin, zipfile.ZipFile(dest / wheel.name, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item)
                if item.filename == "sonocart/procedures/catalogue/femoral_nerve_block.toml":
                    data = b"this is [not toml"
                zout.writestr(item, data)
    return dest


def test_an_update_installs_beside_the_old_release_switches_and_passes_its_self_check(
    cart_root: Path, release_key: Path, wheelhouse: Path, firmware: Path, tmp_path: Path
) -> None:
    bundle = make_bundle(tmp_path / "u.bundle", release_key, wheelhouse, firmware, "0.2.0")
    proc = update(cart_root, bundle)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    app = cart_root / "opt/sonocart"
    assert os.readlink(app / "current") == "releases/0.2.0"
    assert os.readlink(app / "previous") == "releases/0.1.0"
    assert (app / "releases/0.1.0/bin/python").exists()  # side by side: the old one is still whole
    assert (app / "releases/0.2.0/firmware/manifest.json").is_file()
    shipped = json.loads((app / "releases/0.2.0/sbom.cdx.json").read_text())
    names = {c["name"]: c["version"] for c in shipped["components"]}
    assert names["numpy"] and names["sonocart-pedal-firmware"] == "0.2.0"
    assert "ok   settings" in proc.stdout and "not flashed" in proc.stdout
    assert (cart_root / "var/lib/sonocart/settings.json").read_text() == '{"idle_lock_s": 300}'
    assert not list(app.glob(".staging-*"))


def test_a_release_that_fails_its_self_check_is_rolled_back(
    cart_root: Path, release_key: Path, wheelhouse: Path, firmware: Path, tmp_path: Path
) -> None:
    wheels = broken_wheels(wheelhouse, tmp_path / "wheels")
    bundle = make_bundle(tmp_path / "bad.bundle", release_key, wheels, firmware, "0.2.1")
    proc = update(cart_root, bundle)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "FAIL catalogue" in proc.stdout and "rolled back to 0.1.0" in proc.stderr
    app = cart_root / "opt/sonocart"
    assert os.readlink(app / "current") == "releases/0.1.0"
    assert not (app / "releases/0.2.1").exists()


def test_a_tampered_bundle_is_refused_and_nothing_changes(
    cart_root: Path, release_key: Path, wheelhouse: Path, firmware: Path, tmp_path: Path
) -> None:
    bundle = make_bundle(tmp_path / "u.bundle", release_key, wheelhouse, firmware, "0.2.0")
    data = bytearray(bundle.read_bytes())
    at = data.index(b"numpy/__init__.py")  # inside the numpy wheel's bytes (a zip's file name)
    data[at] ^= 0x20
    bundle.write_bytes(bytes(data))
    before = sorted(p.name for p in (cart_root / "opt/sonocart/releases").iterdir())
    proc = update(cart_root, bundle)
    assert proc.returncode == 1 and "SHA-256" in proc.stderr and "numpy" in proc.stderr
    assert sorted(p.name for p in (cart_root / "opt/sonocart/releases").iterdir()) == before
    assert os.readlink(cart_root / "opt/sonocart/current") == "releases/0.1.0"
    foreign = make_bundle(tmp_path / "f.bundle", _foreign_key(tmp_path), wheelhouse, firmware, "0.2.0")
    proc = update(cart_root, foreign)
    assert proc.returncode == 1 and "signature" in proc.stderr


def _foreign_key(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.key"
    keygen(path)
    assert isinstance(load_private(path), Ed25519PrivateKey)
    return path
