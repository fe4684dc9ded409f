"""Where the two binaries the registries do not carry are, and whether the emulator can run.

The MicroPython image and the RP2040 boot ROM live in ``../shared/rp2/`` beside the checkout (on
every developer machine and in CI), or wherever ``SONOCART_RP2_DIR`` points. Node and the npm
packages come from ``make setup`` (``npm ci`` in this directory).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RP2_DIR_ENV = "SONOCART_RP2_DIR"
UF2_NAME = "micropython-v1.28.0-RPI_PICO.uf2"
BOOTROM_NAME = "rp2040-bootrom-b1.bin"
#: sha256 of each binary, as ../shared/rp2/README.md lists them.
SHA256 = {
    UF2_NAME: "5da6ca3de906adff6b9126bd854883c7222faeb7ff2c935ddab73330dab9f323",
    BOOTROM_NAME: "90b31e108faedfa6bbcfcc33ba05dac61e645108cfbbdc385f8dafc71fde44ae",
}
EMULATOR = HERE / "emulator.mjs"


def rp2_dir() -> Path:
    """``$SONOCART_RP2_DIR``, else ``shared/rp2`` beside the checkout."""
    env = os.environ.get(RP2_DIR_ENV)
    return Path(env) if env else ROOT.parent / "shared" / "rp2"


def missing_binaries(directory: Path | None = None) -> str | None:
    """Why the emulated Pico cannot boot here (naming the path), or None when it can."""
    d = directory if directory is not None else rp2_dir()
    for name, digest in SHA256.items():
        path = d / name
        if not path.is_file():
            return f"{path} not found (set {RP2_DIR_ENV} to the folder holding {UF2_NAME} and {BOOTROM_NAME})"
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return f"{path} is not the expected build (sha256 differs from shared/rp2/README.md)"
    return None


def node() -> str:
    """The node binary; a clear error when Node or the npm packages are not installed."""
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("node not found: run `make setup` (installs Debian's nodejs and npm)")
    if not (HERE / "node_modules" / "rp2040js").is_dir():
        raise RuntimeError(f"rp2040js not installed in {HERE}: run `make setup` (npm ci there)")
    return found
