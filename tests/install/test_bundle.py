"""Signed bundles: a good one verifies member for member; every kind of tampering is refused."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sonocart.update.bundle import BundleError, verify_bundle, write_bundle

KEY = Ed25519PrivateKey.generate()
MEMBERS = {
    "wheels/demo-1.0-py3-none-any.whl": b"PK\x03\x04 a wheel",
    "firmware/lib/app.mpy": b"M\x06 firmware",
    "sbom.cdx.json": b'{"bomFormat": "CycloneDX"}',
    "requirements.lock": b"demo==1.0\n",
}


def make(path: Path, key: Ed25519PrivateKey = KEY, members: dict[str, bytes] = MEMBERS) -> Path:
    write_bundle(
        path,
        version="0.2.0",
        app_version="0.2.0",
        firmware_version="0.2.0",
        created="2026-12-01T00:00:00Z",
        members=members,
        key=key,
    )
    return path


def rewrite(src: Path, dest: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a bundle member by member with plain tarfile, replacing (or dropping, None) some members."""
    with tarfile.open(src) as tin, tarfile.open(dest, "w") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read()  # type: ignore[union-attr]
            if m.name in change:
                new = change.pop(m.name)
                if new is None:
                    continue
                data = new
            info = tarfile.TarInfo(m.name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))
        for name, data in change.items():
            if data is not None:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tout.addfile(info, io.BytesIO(data))
    return dest


def test_a_signed_bundle_verifies_and_every_member_arrives_byte_for_byte(tmp_path: Path) -> None:
    bundle = make(tmp_path / "b.bundle")
    manifest = verify_bundle(bundle, [KEY.public_key()], tmp_path / "out")
    assert manifest.version == "0.2.0" and manifest.firmware_version == "0.2.0"
    for name, data in MEMBERS.items():
        assert (tmp_path / "out" / name).read_bytes() == data
        assert manifest.files[name] == (hashlib.sha256(data).hexdigest(), len(data))
    doc = json.loads((tmp_path / "out" / "manifest.json").read_text())
    KEY.public_key().verify(
        (tmp_path / "out" / "manifest.sig").read_bytes(), (tmp_path / "out" / "manifest.json").read_bytes()
    )
    assert doc["files"]["sbom.cdx.json"]["sha256"] == hashlib.sha256(MEMBERS["sbom.cdx.json"]).hexdigest()


def test_a_changed_wheel_is_refused_by_its_hash(tmp_path: Path) -> None:
    bad = rewrite(
        make(tmp_path / "b.bundle"),
        tmp_path / "t.bundle",
        {"wheels/demo-1.0-py3-none-any.whl": b"PK\x03\x04 a wheel, changed"},
    )
    with pytest.raises(BundleError, match="SHA-256"):
        verify_bundle(bad, [KEY.public_key()], tmp_path / "out")


def test_a_changed_manifest_fails_its_signature(tmp_path: Path) -> None:
    bundle = make(tmp_path / "b.bundle")
    with tarfile.open(bundle) as tar:
        body = tar.extractfile("manifest.json").read()  # type: ignore[union-attr]
    bad = rewrite(bundle, tmp_path / "t.bundle", {"manifest.json": body.replace(b'"0.2.0"', b'"9.9.9"', 1)})
    with pytest.raises(BundleError, match="signature"):
        verify_bundle(bad, [KEY.public_key()], tmp_path / "out")


def test_a_bundle_signed_by_another_key_or_with_no_key_installed_is_refused(tmp_path: Path) -> None:
    bundle = make(tmp_path / "b.bundle", key=Ed25519PrivateKey.generate())
    with pytest.raises(BundleError, match="signature"):
        verify_bundle(bundle, [KEY.public_key()], tmp_path / "out")
    with pytest.raises(BundleError, match="no release key"):
        verify_bundle(make(tmp_path / "c.bundle"), [], tmp_path / "out")


def test_members_added_or_removed_after_signing_are_refused(tmp_path: Path) -> None:
    bundle = make(tmp_path / "b.bundle")
    extra = rewrite(bundle, tmp_path / "x.bundle", {"wheels/evil-1.0-py3-none-any.whl": b"PK"})
    with pytest.raises(BundleError, match="not in the signed manifest"):
        verify_bundle(extra, [KEY.public_key()], tmp_path / "out")
    fewer = rewrite(bundle, tmp_path / "y.bundle", {"firmware/lib/app.mpy": None})
    with pytest.raises(BundleError, match="lacks"):
        verify_bundle(fewer, [KEY.public_key()], tmp_path / "out")


def test_even_a_signed_manifest_cannot_write_outside_the_staging_folder(tmp_path: Path) -> None:
    body = json.dumps(
        {
            "format": 1,
            "version": "1",
            "sonocart": "1",
            "firmware": "1",
            "created": "x",
            "files": {"firmware/../../escape": {"sha256": "0" * 64, "size": 1}},
        }
    ).encode()
    bundle = rewrite(
        make(tmp_path / "b.bundle"),
        tmp_path / "t.bundle",
        {"manifest.json": body, "manifest.sig": KEY.sign(body), "firmware/../../escape": b"x"},
    )
    with pytest.raises(BundleError, match="not allowed"):
        verify_bundle(bundle, [KEY.public_key()], tmp_path / "out" / "in")
    assert not (tmp_path / "escape").exists()


def test_a_truncated_or_foreign_file_is_refused_with_a_message(tmp_path: Path) -> None:
    bundle = make(tmp_path / "b.bundle")
    cut = tmp_path / "cut.bundle"
    cut.write_bytes(bundle.read_bytes()[:700])
    for path in (cut, tmp_path / "b.bundle.missing"):
        with pytest.raises(BundleError):
            verify_bundle(path, [KEY.public_key()], tmp_path / "out")
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(BundleError):
        verify_bundle(junk, [KEY.public_key()], tmp_path / "out")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_verifies_the_manifest_signature_as_a_reviewer_would(tmp_path: Path) -> None:
    """An independent implementation (OpenSSL's Ed25519) accepts the signature over the manifest bytes."""
    from cryptography.hazmat.primitives import serialization

    bundle = make(tmp_path / "b.bundle")
    with tarfile.open(bundle) as tar:
        for name in ("manifest.json", "manifest.sig"):
            (tmp_path / name).write_bytes(tar.extractfile(name).read())  # type: ignore[union-attr]
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "release.pem").write_bytes(pem)
    argv = [
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        str(tmp_path / "release.pem"),
        "-rawin",
        "-in",
        str(tmp_path / "manifest.json"),
        "-sigfile",
        str(tmp_path / "manifest.sig"),
    ]
    assert subprocess.run(argv, capture_output=True, text=True).returncode == 0
    (tmp_path / "manifest.json").write_bytes(
        (tmp_path / "manifest.json").read_bytes().replace(b"0.2.0", b"0.2.1")
    )
    assert subprocess.run(argv, capture_output=True, text=True).returncode != 0
