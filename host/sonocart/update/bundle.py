"""Update bundles: one tar of the wheel set, the firmware build, the SBOM and the lock, signed once.

``manifest.json`` lists every other member with its SHA-256 and size, plus the versions (the release,
the sonocart wheel, the firmware); ``manifest.sig`` is an Ed25519 signature over the manifest's exact
bytes by a release key. Verification trusts nothing in the tar before the signature checks against a
key installed in ``/etc/sonocart/release-keys``: then each member is read as bytes (never ``extractall``),
its name checked (no absolute paths, no ``..``, only the known folders), its hash and size compared, and
a member the manifest does not list refuses the whole bundle. Nothing is written outside ``dest``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SBOM = "sbom.cdx.json"
LOCK = "requirements.lock"
#: Top-level folders and files a bundle may hold besides the manifest and its signature.
ALLOWED = re.compile(
    r"^(wheels/[A-Za-z0-9._+-]+\.whl|firmware/[A-Za-z0-9._/-]+|sbom\.cdx\.json|requirements\.lock)$"
)
MAX_MANIFEST_BYTES = 1 << 20
MAX_MEMBER_BYTES = 512 << 20
MAX_MEMBERS = 2000


class BundleError(ValueError):
    """The bundle is refused; the message says why. Nothing was installed."""


@dataclass(frozen=True)
class Manifest:
    version: str
    app_version: str
    firmware_version: str
    created: str
    files: dict[str, tuple[str, int]]  # name -> (sha256 hex, size)

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": self.version,
            "sonocart": self.app_version,
            "firmware": self.firmware_version,
            "created": self.created,
            "files": {n: {"sha256": h, "size": s} for n, (h, s) in sorted(self.files.items())},
        }
        return (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        try:
            doc = json.loads(data)
            if doc.get("format") != FORMAT:
                raise BundleError(f"manifest format {doc.get('format')!r}, this cart reads {FORMAT}")
            files: dict[str, tuple[str, int]] = {}
            for name, entry in dict(doc["files"]).items():
                digest, size = entry["sha256"], entry["size"]
                if not (isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)):
                    raise BundleError(f"manifest: bad sha256 for {name}")
                if not (type(size) is int and 0 <= size <= MAX_MEMBER_BYTES):
                    raise BundleError(f"manifest: bad size for {name}")
                files[_safe_name(name)] = (digest, size)
            fields = [doc[k] for k in ("version", "sonocart", "firmware", "created")]
            if not all(isinstance(f, str) and 0 < len(f) <= 64 for f in fields):
                raise BundleError("manifest: version, sonocart, firmware and created must be short strings")
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            if isinstance(exc, BundleError):
                raise
            raise BundleError(f"manifest is not a bundle manifest: {exc!r}") from None
        return cls(fields[0], fields[1], fields[2], fields[3], files)


def _safe_name(name: object) -> str:
    if not isinstance(name, str) or not ALLOWED.match(name):
        raise BundleError(f"bundle member {name!r} is not allowed")
    parts = PurePosixPath(name).parts
    if any(p in ("", ".", "..") for p in parts) or name.startswith("/"):
        raise BundleError(f"bundle member {name!r} is not allowed")
    return name


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- writing (release engineering: tools/release) --------------------------------------------------
def write_bundle(
    out: Path,
    *,
    version: str,
    app_version: str,
    firmware_version: str,
    created: str,
    members: dict[str, bytes],
    key: Ed25519PrivateKey,
) -> Manifest:
    """Sign and write a bundle holding ``members`` (bundle name -> bytes)."""
    manifest = Manifest(
        version,
        app_version,
        firmware_version,
        created,
        {_safe_name(n): (sha256(d), len(d)) for n, d in members.items()},
    )
    body = manifest.to_bytes()
    tmp = out.with_name(f".{out.name}.tmp")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [(MANIFEST, body), (SIGNATURE, key.sign(body)), *sorted(members.items())]:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    tmp.replace(out)
    return manifest


# -- reading (the cart: sonocart update) -----------------------------------------------------------
def load_public_keys(folder: Path) -> list[Ed25519PublicKey]:
    keys = []
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            keys.append(key)
    return keys


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    if not member.isreg():
        raise BundleError(f"bundle member {member.name!r} is not a regular file")
    if member.size > limit:
        raise BundleError(f"bundle member {member.name!r} is larger than {limit} bytes")
    stream = tar.extractfile(member)
    if stream is None:
        raise BundleError(f"bundle member {member.name!r} cannot be read")
    return stream.read()


def verify_bundle(bundle: Path, keys: list[Ed25519PublicKey], dest: Path) -> Manifest:
    """Check the signature, then every member; write the members under ``dest``; return the manifest."""
    if not keys:
        raise BundleError("no release key is installed (/etc/sonocart/release-keys/*.pem): updates refused")
    try:
        tar = tarfile.open(bundle, "r:")  # noqa: SIM115 (closed by the with below; open errors apart)
    except (OSError, tarfile.TarError) as exc:
        raise BundleError(f"{bundle} is not a bundle: {exc}") from None
    with tar:
        try:
            members = tar.getmembers()
        except tarfile.TarError as exc:
            raise BundleError(f"{bundle} is damaged: {exc}") from None
        if len(members) > MAX_MEMBERS:
            raise BundleError(f"{bundle} has {len(members)} members")
        by_name: dict[str, tarfile.TarInfo] = {}
        for m in members:
            if m.name in by_name:
                raise BundleError(f"bundle member {m.name!r} appears twice")
            by_name[m.name] = m
        if MANIFEST not in by_name or SIGNATURE not in by_name:
            raise BundleError(f"{bundle} has no signed manifest")
        body = _read(tar, by_name.pop(MANIFEST), MAX_MANIFEST_BYTES)
        signature = _read(tar, by_name.pop(SIGNATURE), 1024)
        if not any(_verifies(k, signature, body) for k in keys):
            raise BundleError("the manifest's signature does not match any installed release key")
        manifest = Manifest.from_bytes(body)
        unlisted = sorted(set(by_name) - set(manifest.files))
        if unlisted:
            raise BundleError(f"bundle members not in the signed manifest: {', '.join(unlisted)}")
        missing = sorted(set(manifest.files) - set(by_name))
        if missing:
            raise BundleError(f"bundle lacks members the manifest lists: {', '.join(missing)}")
        for name, (digest, size) in sorted(manifest.files.items()):
            data = _read(tar, by_name[name], MAX_MEMBER_BYTES)
            if len(data) != size or sha256(data) != digest:
                raise BundleError(f"{name}: SHA-256 does not match the signed manifest (tampered or damaged)")
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    (dest / MANIFEST).write_bytes(body)  # the signed bytes themselves, kept with the release
    (dest / SIGNATURE).write_bytes(signature)
    return manifest


def _verifies(key: Ed25519PublicKey, signature: bytes, body: bytes) -> bool:
    try:
        key.verify(signature, body)
    except InvalidSignature:
        return False
    return True
