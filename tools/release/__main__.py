"""``python -m tools.release keygen|bundle``: make a release key pair; build and sign an update bundle.

The private key stays with release engineering (offline, never in the repository); its public half
(``*.pem``) goes to each cart's ``/etc/sonocart/release-keys`` (``make install RELEASE_KEY=...``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sonocart.update import release
from sonocart.update.bundle import LOCK, SBOM, write_bundle

REPO = Path(__file__).resolve().parents[2]


def keygen(private: Path) -> Path:
    """Write a new private key (0600) and its public half beside it as ``<name>.pem``; returns the latter."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = private.with_suffix(".pem")
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"{path} is not an Ed25519 private key")
    return key


def collect(wheels: Path, firmware: Path, sbom: Path, lock: Path) -> tuple[dict[str, bytes], str, str]:
    """Bundle members, the sonocart wheel's version and the firmware build's version."""
    wheel_files = sorted(wheels.glob("*.whl"))
    app_version = release.check_wheel_set(wheel_files, release.read_lock(lock))
    members = {f"wheels/{w.name}": w.read_bytes() for w in wheel_files}
    fw_manifest = json.loads((firmware / "manifest.json").read_text())
    for path in sorted(firmware.rglob("*")):
        if path.is_file():
            members[f"firmware/{path.relative_to(firmware).as_posix()}"] = path.read_bytes()
    members[SBOM] = sbom.read_bytes()
    members[LOCK] = lock.read_bytes()
    return members, app_version, str(fw_manifest["version"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keygen", help="a new release key pair")
    k.add_argument("private", type=Path)
    b = sub.add_parser("bundle", help="build and sign an update bundle")
    b.add_argument("--key", type=Path, required=True, help="the release private key (PEM)")
    b.add_argument("--version", required=True, help="release version (names releases/<version> on the cart)")
    b.add_argument("--wheels", type=Path, default=REPO / "build" / "wheels")
    b.add_argument("--firmware", type=Path, default=REPO / "build" / "firmware" / "pico")
    b.add_argument("--sbom", type=Path, default=REPO / "build" / "sbom.cdx.json")
    b.add_argument("--lock", type=Path, default=REPO / "packaging" / "requirements.lock")
    b.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    if args.cmd == "keygen":
        print(f"public key: {keygen(args.private)}")
        return 0
    members, app_version, fw_version = collect(args.wheels, args.firmware, args.sbom, args.lock)
    manifest = write_bundle(
        args.out,
        version=args.version,
        app_version=app_version,
        firmware_version=fw_version,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        members=members,
        key=load_private(args.key),
    )
    print(f"{args.out}: sonocart {manifest.version} ({len(manifest.files)} files, firmware {fw_version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
