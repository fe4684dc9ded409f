"""``info``, ``flash`` and ``verify``: the technician's three operations on a pedal board."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sonocart.firmware_tool import board_link
from sonocart.firmware_tool.build import Build, build
from sonocart.firmware_tool.mpremote import Mpremote, MpremoteError
from sonocart.firmware_tool.paths import BUILD_DIR
from sonocart.firmware_tool.report import Report
from sonocart.firmware_tool.verify import check_files, check_identity, mpy_loadable

REBOOT_WAIT_S = 15.0
#: How long the REPL gets to answer before the board is taken to be running the firmware.
REPL_PROBE_S = 3.0


def info(port: str, fw: Build | None) -> Report:
    """What the board reports over the pedal link, compared with the local build when given."""
    report = Report(f"Pedal board on {port}")
    try:
        ident = board_link.query_identity(port)
    except board_link.LinkQueryError as exc:
        report.fail("pedal link", str(exc))
        return report
    report.note(f"firmware {ident.firmware_version}, build {ident.build_hash}, board id {ident.board_id}")
    report.note(
        f"uptime {ident.uptime_ms / 1000:.1f} s, last reset: {ident.reset_cause}, boot id {ident.boot_id:08x}"
    )
    report.check(
        "pedal link", True, actual=f"protocol v{ident.protocol_version}, table {ident.schema_hash:08x}"
    )
    if fw is not None:
        check_identity(report, ident, fw)
    return report


def flash(
    port: str,
    *,
    force: bool = False,
    out_root: Path = BUILD_DIR,
    mp: Mpremote | None = None,
    fw: Build | None = None,
    wait_for_port: Callable[[str, float], bool] | None = None,
) -> Report:
    """Build, refuse an unversioned or dirty build unless forced, deploy with mpremote, verify."""
    report = Report(f"Flash pedal board on {port}")
    fw = fw if fw is not None else build("pico", out_root)
    report.note(f"build {fw.version} ({fw.build_hash}), {len(fw.files)} files")
    if (fw.dirty or fw.unversioned) and not force:
        why = "uncommitted changes in firmware sources" if fw.dirty else "not built from a git checkout"
        report.fail("build is releasable", f"{why}; commit first or pass --force")
        return report
    if fw.dirty or fw.unversioned:
        report.note("WARNING: forced flash of an unreleasable build")
    mp = mp if mp is not None else Mpremote(port)
    waiter = wait_for_port if wait_for_port is not None else _wait_for_port
    if not _reach_repl(report, port, mp, waiter):
        return report
    try:
        runtime = mp.runtime()
        header = (fw.lib_dir / "app.mpy").read_bytes()[:4]
        if not report.check(
            "MicroPython can load the build",
            mpy_loadable(int(runtime["mpy"]), header),
            f"mpy v{header[1]}.{header[2] & 3}",
            f"MicroPython {runtime['version']} (mpy word {int(runtime['mpy']):#x})",
        ):
            return report
        mp.remove_tree("/lib")  # no module of an older build may linger
        mp.copy_tree(fw.out_dir, sorted({rel.split("/")[0] for rel in fw.files}))
        check_files(report, mp, fw)
        mp.reset()
    except MpremoteError as exc:
        report.fail("mpremote", str(exc))
        return report
    waiter(port, REBOOT_WAIT_S)
    _check_link(report, port, fw)
    return report


def verify(port: str, fw: Build, *, mp: Mpremote | None = None, files: bool = True) -> Report:
    """Board files and running firmware equal ``fw``; ``files=False`` checks the link only."""
    report = Report(f"Verify pedal board on {port} against {fw.version} ({fw.build_hash})")
    if files:
        mp = mp if mp is not None else Mpremote(port)
        if not _reach_repl(report, port, mp, _wait_for_port):
            return report
        try:
            check_files(report, mp, fw)
            mp.reset()
        except MpremoteError as exc:
            report.fail("mpremote", str(exc))
            return report
        _wait_for_port(port, REBOOT_WAIT_S)
    _check_link(report, port, fw)
    return report


def _reach_repl(report: Report, port: str, mp: Mpremote, waiter: Callable[[str, float], bool]) -> bool:
    """Get the board to its REPL; False (with the reason in ``report``) when it did not reset.

    The REPL is asked first: a board in maintenance mode answers at once, and the firmware
    takes mpremote's bytes for line noise. Pedal-link frames, sent first, would reach a REPL as
    control characters (a 0x04 in a HELLO is Ctrl-D: a soft reboot into the very firmware the
    technician is replacing, undoing the pedal-A recovery). Only when the REPL is silent is the
    firmware asked over the pedal link to reboot into maintenance mode.
    """
    if mp.answers(REPL_PROBE_S):
        return True
    if board_link.request_maintenance(port, timeout_s=3.0):
        report.note("board running sonocart firmware: asked it to reboot into maintenance mode")
        if not waiter(port, REBOOT_WAIT_S):
            why = f"{port} did not go and come back in {REBOOT_WAIT_S:g} s"
            report.fail("reboot into maintenance mode", why)
            return False
    return True


def _check_link(report: Report, port: str, fw: Build) -> None:
    try:
        ident = board_link.query_identity(port, timeout_s=8.0)
    except board_link.LinkQueryError as exc:
        report.fail("pedal link", str(exc))
        return
    check_identity(report, ident, fw)


def _wait_for_port(port: str, timeout_s: float) -> bool:
    """Wait for a resetting board's port to go (USB re-enumeration) and come back.

    False when it did not go (the board has not reset: talking to it now would reach the old
    firmware) or did not come back, within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while Path(port).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    while not Path(port).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    time.sleep(0.5)  # let the CDC port settle before mpremote or the link opens it
    return True
