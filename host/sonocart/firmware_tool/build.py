"""Compile the firmware with mpy-cross into a deployable tree plus a manifest of file hashes.

Layout of a build (``build/firmware/<target>/``)::

    main.py                      boot entry, as source (pico only)
    lib/*.mpy                    firmware modules, compiled
    lib/pinmap.mpy               generated from hardware/pinmap.json
    lib/version.mpy              stamped: firmware version and build hash
    lib/sonocart/wire/*.mpy      the shared MicroPython-subset wire codec
    manifest.json                what the verifier compares with the board

The build hash is a SHA-256 over the source files that go into the build, so
two builds from the same sources report the same hash. The version comes from
``git describe``; a build from a dirty tree or outside git is marked and refused
by ``flash`` unless forced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sonocart import __version__
from sonocart.firmware_tool import pinmap
from sonocart.firmware_tool.paths import (
    BOOT_SOURCE,
    BUILD_DIR,
    FIRMWARE_DIR,
    HOST_DIR,
    PINMAP_JSON,
    ROOT,
    SHARED_MODULES,
    SIM_ONLY,
    tool,
)
from sonocart.wire import pedal_codec

TARGETS = ("pico", "sim")


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Build:
    target: str
    out_dir: Path
    version: str
    build_hash: str
    dirty: bool
    unversioned: bool
    files: dict[str, str]  # board path (no leading slash) -> sha256 hex

    @property
    def lib_dir(self) -> Path:
        return self.out_dir / "lib"

    def manifest(self) -> dict[str, object]:
        return {
            "target": self.target,
            "version": self.version,
            "build_hash": self.build_hash,
            "dirty": self.dirty,
            "unversioned": self.unversioned,
            "protocol_version": pedal_codec.PROTOCOL_VERSION,
            "schema_hash": pedal_codec.SCHEMA_HASH,
            "files": self.files,
        }


def sources(target: str) -> list[tuple[Path, str]]:
    """(source file, module path under lib/) for every module in a build of ``target``."""
    out: list[tuple[Path, str]] = []
    for src in sorted(FIRMWARE_DIR.glob("*.py")):
        if src.name in ("version.py", "pinmap.py"):
            continue  # generated per build
        if src.name in BOOT_SOURCE:
            continue
        if target == "pico" and src.name in SIM_ONLY:
            continue
        out.append((src, src.name))
    for rel in SHARED_MODULES:
        out.append((HOST_DIR / rel, rel))
    return out


def git_version() -> tuple[str, bool, bool]:
    """(version, dirty, unversioned) of the firmware sources from git."""
    try:
        described = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty", "--abbrev=10"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "firmware", "host/sonocart/wire", "hardware/pinmap.json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{__version__}+unversioned", False, True
    dirty = bool(status)
    described = described.removesuffix("-dirty")
    version = f"{__version__}+g{described}" + (".dirty" if dirty else "")
    return version, dirty, False


def source_hash() -> str:
    """SHA-256 (first 16 hex digits) over every firmware source, the shared codec and the pin map.

    The same for the Pico and the simulated-board builds, so a simulated board reports the hash
    of the firmware a real board would run.
    """
    h = hashlib.sha256()
    files = sorted(p for p in FIRMWARE_DIR.glob("*.py") if p.name not in ("version.py", "pinmap.py"))
    named = [(p, p.name) for p in files] + [(HOST_DIR / rel, rel) for rel in SHARED_MODULES]
    for src, rel in [*named, (PINMAP_JSON, "pinmap.json")]:
        h.update(rel.encode() + b"\0" + src.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def compile_module(src: Path, dest: Path, name: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [tool("mpy-cross"), "-o", str(dest), "-s", name, str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BuildError(f"mpy-cross failed on {src}: {proc.stderr.strip()}")


def build(
    target: str = "pico", out_root: Path = BUILD_DIR, version: tuple[str, bool, bool] | None = None
) -> Build:
    """Compile the firmware for ``target`` ("pico" or "sim") and write its manifest."""
    if target not in TARGETS:
        raise BuildError(f"unknown target {target!r}; one of {', '.join(TARGETS)}")
    ver, dirty, unversioned = version if version is not None else git_version()
    bhash = source_hash()
    final = out_root / target
    out_root.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f".{target}-", dir=out_root))  # built aside, then swapped in
    lib = out / "lib"
    lib.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="sonocart-fw-") as tmp:
        gen = Path(tmp)
        (gen / "version.py").write_text(
            '"""Firmware identity, stamped by the build."""\n\n'
            f"FIRMWARE_VERSION = {ver!r}\nBUILD_HASH = {bhash!r}\n"
        )
        (gen / "pinmap.py").write_text(pinmap.render_python(pinmap.load()))
        modules = [*sources(target), (gen / "version.py", "version.py"), (gen / "pinmap.py", "pinmap.py")]
        for src, rel in modules:
            compile_module(src, lib / rel.replace(".py", ".mpy"), rel)
    if target == "pico":
        for name in BOOT_SOURCE:
            shutil.copyfile(FIRMWARE_DIR / name, out / name)
    files = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    result = Build(target, final, ver, bhash, dirty, unversioned, files)
    (out / "manifest.json").write_text(json.dumps(result.manifest(), indent=1) + "\n")
    _swap_in(out, final)
    return result


def _swap_in(new: Path, final: Path) -> None:
    """Replace ``final`` by ``new`` so that no reader ever sees a half-written build."""
    for _ in range(20):
        old = final.with_name(f".{final.name}-old-{os.getpid()}")
        try:
            final.rename(old)
        except FileNotFoundError:
            old = None  # type: ignore[assignment]
        try:
            new.rename(final)
        except OSError:  # another build swapped its own in meanwhile: go again
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            continue
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    raise BuildError(f"could not replace {final}")
