"""Type-check the firmware against the MicroPython stubs (``make typecheck-firmware``).

mypy runs with the MicroPython standard-library stubs as its typeshed
(micropython-stdlib-stubs) and the Pico port stubs (micropython-rp2-rpi-pico-stubs:
machine, neopixel, rp2, the port's time/select/...) ahead of them on its path. The
port stubs are installed as loose top-level ``.pyi`` files in site-packages, which
mypy does not search, so they are linked into ``build/firmware-stubs`` first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from sonocart.firmware_tool.paths import BUILD_DIR, FIRMWARE_DIR, HOST_DIR

PORT_STUBS = "micropython-rp2-rpi-pico-stubs"
STDLIB_STUBS = "micropython-stdlib-stubs"


def _dist_root(name: str) -> Path:
    dist = metadata.distribution(name)
    return Path(str(dist.locate_file("")))


def link_port_stubs(dest: Path) -> Path:
    """Symlink the port stubs' top-level modules and packages into ``dest``."""
    dist = metadata.distribution(PORT_STUBS)
    root = _dist_root(PORT_STUBS)
    dest.mkdir(parents=True, exist_ok=True)
    tops = set()
    for f in dist.files or []:
        parts = Path(str(f)).parts
        if parts[0].endswith(".dist-info") or not str(f).endswith(".pyi"):
            continue
        tops.add(parts[0])
    targets = {top: root / top for top in tops}
    targets["_mpy_shed"] = _dist_root(STDLIB_STUBS) / "_mpy_shed"  # shared helpers the port stubs import
    for top, target in sorted(targets.items()):
        link = dest / top
        if not link.exists() and not link.is_symlink():
            link.symlink_to(target)
    return dest


def stub_modules(dest: Path) -> list[str]:
    return sorted(p.name.removesuffix(".pyi") for p in dest.iterdir())


def write_config(path: Path, stub_modules: list[str]) -> Path:
    """mypy settings: strict for the firmware; the third-party stubs are not ours to fix."""
    lines = ["[mypy]", "strict = True", "warn_unused_ignores = False", ""]
    # binascii.crc32 is untyped in the MicroPython stubs.
    lines += ["[mypy-sonocart.wire.crc]", "warn_return_any = False", ""]
    for mod in sorted(stub_modules):
        lines += [f"[mypy-{mod}]", "ignore_errors = True", f"[mypy-{mod}.*]", "ignore_errors = True", ""]
    path.write_text("\n".join(lines))
    return path


def typeshed_dir() -> Path:
    root = _dist_root(STDLIB_STUBS)
    if not (root / "stdlib" / "VERSIONS").exists():
        raise FileNotFoundError(f"{STDLIB_STUBS} has no stdlib/VERSIONS under {root}")
    return root


def run() -> int:
    stubs = link_port_stubs(BUILD_DIR.parent / "firmware-stubs")
    env = dict(os.environ, MYPYPATH=os.pathsep.join([str(stubs), str(HOST_DIR)]))
    files = sorted(str(p.name) for p in FIRMWARE_DIR.glob("*.py"))
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(write_config(BUILD_DIR.parent / "firmware-mypy.ini", stub_modules(stubs))),
        "--custom-typeshed-dir",
        str(typeshed_dir()),
        "--explicit-package-bases",
        "--cache-dir",
        str(BUILD_DIR.parent / "firmware-mypy-cache"),
        *files,
    ]
    print("mypy (firmware, MicroPython stubs):", " ".join(files), flush=True)
    return subprocess.run(cmd, cwd=FIRMWARE_DIR, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(run())
