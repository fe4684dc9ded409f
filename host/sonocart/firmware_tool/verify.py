"""Checks that a board runs exactly a given build: file hashes (REPL) and identity (pedal link)."""

from __future__ import annotations

from sonocart.devices.pedal_events import BoardIdentity
from sonocart.firmware_tool.build import Build
from sonocart.firmware_tool.mpremote import Mpremote
from sonocart.firmware_tool.report import Report
from sonocart.wire import pedal_codec as pc


def board_path(rel: str) -> str:
    return "/" + rel


def check_files(report: Report, mp: Mpremote, fw: Build) -> None:
    """Every file of the build is on the board with the build's SHA-256."""
    paths = [board_path(rel) for rel in sorted(fw.files)]
    got = mp.file_hashes(paths)
    bad = 0
    for rel, want in sorted(fw.files.items()):
        have = got.get(board_path(rel))
        if have != want:
            bad += 1
            report.check(f"file {rel}", False, want[:16], (have or "missing")[:16])
    report.check("file hashes", bad == 0, f"{len(fw.files)} files match", f"{len(fw.files) - bad} match")
    expected = {board_path(rel) for rel in fw.files if rel.startswith("lib/")}
    stale = sorted(set(mp.list_files("/lib")) - expected)
    report.check("no stale modules in /lib", not stale, "none", ", ".join(stale))


def check_identity(report: Report, identity: BoardIdentity, fw: Build) -> None:
    """What the running firmware reports over the pedal link equals the build."""
    report.check(
        "firmware version", identity.firmware_version == fw.version, fw.version, identity.firmware_version
    )
    report.check("build hash", identity.build_hash == fw.build_hash, fw.build_hash, identity.build_hash)
    report.check(
        "protocol",
        identity.protocol_version == pc.PROTOCOL_VERSION,
        pc.PROTOCOL_VERSION,
        identity.protocol_version,
    )
    report.check(
        "message table hash",
        identity.schema_hash == pc.SCHEMA_HASH,
        f"{pc.SCHEMA_HASH:08x}",
        f"{identity.schema_hash:08x}",
    )


def mpy_loadable(board_mpy: int, file_header: bytes) -> bool:
    """Whether a runtime with ``sys.implementation._mpy == board_mpy`` loads a .mpy with this header."""
    if len(file_header) < 3 or file_header[0] != ord("M"):
        return False
    version, sub = file_header[1], file_header[2] & 3
    return version == (board_mpy & 0xFF) and sub <= (board_mpy >> 8) & 3
