"""The technician tool for real: ``sonocart firmware flash|verify|info`` against the raw REPL and the
pedal link of the emulated Pico (the official MicroPython rp2 image), nothing mocked.

Oracles independent of the tool: the board's flash read back with littlefs-python (what is
really stored), bytes corrupted in that flash by the test itself, the board's own boot events.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sonocart.cli import main
from sonocart.firmware_tool import board_link
from sonocart.firmware_tool import flash as fw_flash
from sonocart.firmware_tool.build import Build
from sonocart.firmware_tool.mpremote import Mpremote, MpremoteError
from sonocart.firmware_tool.paths import tool
from tools.emulated_pico.pedal_board import EmulatedPedalBoard

from .. import rp2

pytestmark = [pytest.mark.rp2, pytest.mark.slow]

MAINTENANCE_BLUE = (0, 0, 255)
board_files = rp2.board_files


def build_files(fw: Build) -> dict[str, bytes]:
    return {"/" + rel: (fw.out_dir / rel).read_bytes() for rel in fw.files}


@pytest.fixture()
def board(pico_image: Path, tmp_path: Path) -> Iterator[EmulatedPedalBoard]:
    """A board running the session's firmware, up on the pedal link (as a technician finds it)."""
    b = rp2.board_from(pico_image, tmp_path / "board")
    try:
        board_link.query_identity(str(b.link_path), timeout_s=15.0)
        yield b
    finally:
        rp2.note_lag(b)
        b.stop()


def test_flash_put_exactly_the_build_on_a_blank_board(pico_image: Path, pico_build: Build) -> None:
    """The session's flash (tests/rp2.py: `flash` on a blank board) left the build, byte for byte."""
    stored = board_files(pico_image)
    assert stored == build_files(pico_build)


def test_cli_flash_verify_and_info_on_a_running_board(
    board: EmulatedPedalBoard, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(board.link_path)
    t0 = time.monotonic()
    code = main(["firmware", "flash", "--port", port, "--force"])
    flash_s = time.monotonic() - t0
    out = capsys.readouterr().out
    assert code == 0, out
    assert "asked it to reboot into maintenance mode" in out  # it was running the firmware
    for check in ("file hashes", "no stale modules in /lib", "firmware version", "build hash", "protocol"):
        assert f"[PASS] {check}" in out, out
    t0 = time.monotonic()
    code = main(["firmware", "verify", "--port", port])
    verify_s = time.monotonic() - t0
    out = capsys.readouterr().out
    assert code == 0 and "RESULT: OK" in out, out
    code = main(["firmware", "info", "--port", port])
    out = capsys.readouterr().out
    assert code == 0 and "RESULT: OK" in out, out
    # verify ended with a software reset: the board says so, not "watchdog" (no false fault).
    assert "last reset: soft" in out, out
    rp2.record_figure("cli_flash_running_board_s", round(flash_s, 1))
    rp2.record_figure("cli_verify_s", round(verify_s, 1))
    board.stop()  # the flash file is complete once the emulator has stopped
    stored = board_files(board.pico.flash_path)
    lib = sorted(p for p in stored if p.startswith("/lib/"))
    assert "/main.py" in stored and "/lib/app.mpy" in lib and "/lib/board_sim.mpy" not in lib


def test_dirty_build_is_refused_and_the_board_is_left_as_it_was(
    board: EmulatedPedalBoard, pico_build: Build
) -> None:
    dirty = Build(
        "pico", pico_build.out_dir, pico_build.version + ".dirty", pico_build.build_hash, True, False,
        pico_build.files,
    )  # fmt: skip
    boots = [e for e in board.pico.events() if e.kind == "boot"]
    report = fw_flash.flash(str(board.link_path), fw=dirty)
    text = report.render()
    assert not report.ok and "commit first or pass --force" in text, text
    assert [e for e in board.pico.events() if e.kind == "boot"] == boots, "board was reset"
    ident = board_link.query_identity(str(board.link_path))
    assert ident.firmware_version == pico_build.version and ident.reset_cause == "power_on"


def test_verify_names_a_file_corrupted_in_the_board_flash(
    pico_image: Path, pico_build: Build, tmp_path: Path
) -> None:
    """One bit of main.py flips in the flash, inside its docstring: the board still works, only
    verify can tell that it no longer runs the released files."""
    flash = tmp_path / "flash.bin"
    shutil.copyfile(pico_image, flash)
    image = bytearray(flash.read_bytes())
    content = (pico_build.out_dir / "main.py").read_bytes()
    probe = b"Boot entry on the Pico"
    assert probe in content
    at = image.find(probe, rp2.FS_OFFSET)
    assert at > 0 and image.find(probe, at + 1) == -1, "file data not found once in the flash"
    image[at + 5] ^= 0x20  # "entry" -> "Entry": a bit of the stored file flips
    flash.write_bytes(bytes(image))
    assert board_files(flash)["/main.py"] != content  # the oracle sees the damage
    board = rp2.board_from(flash, tmp_path / "board")
    try:
        board_link.query_identity(str(board.link_path), timeout_s=15.0)  # up, as a technician finds it
        report = fw_flash.verify(str(board.link_path), pico_build)
    finally:
        rp2.note_lag(board)
        board.stop()
    text = report.render()
    assert not report.ok, text
    failed = [line.split(":")[0] for line in text.splitlines() if line.startswith("  [FAIL]")]
    assert failed == ["  [FAIL] file main.py", "  [FAIL] file hashes"], text
    assert "[PASS] firmware version" in text  # the firmware itself still runs and answers


def hang_the_app(board: EmulatedPedalBoard, tmp_path: Path) -> None:
    """Put an app module on the board that never returns: Ctrl-C is off by then, so no REPL."""
    src = tmp_path / "app.py"
    src.write_text("while True:\n    pass\n")
    mpy = tmp_path / "app.mpy"
    subprocess.run([tool("mpy-cross"), "-o", str(mpy), str(src)], check=True)
    assert board_link.request_maintenance(str(board.link_path))
    assert fw_flash._wait_for_port(str(board.link_path), 15.0), "no reboot into maintenance mode"
    Mpremote(str(board.link_path)).call(["fs", "cp", str(mpy), ":lib/app.mpy"])


def test_pedal_a_held_at_power_up_recovers_a_board_whose_firmware_hangs(
    board: EmulatedPedalBoard, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hang_the_app(board, tmp_path)
    board.power_cycle()
    assert board.pico.wait_link(15)
    time.sleep(1.0)
    with pytest.raises(MpremoteError):  # the hung firmware ignores Ctrl-C: no REPL
        Mpremote(str(board.link_path), timeout_s=5).runtime()
    board.press("A")
    board.power_cycle()  # hold pedal A while plugging it in
    assert board.pico.wait_link(15)
    assert board.wait_for(lambda: board.light() == MAINTENANCE_BLUE, 15.0), "no maintenance light"
    time.sleep(1.0)
    assert board.light() == MAINTENANCE_BLUE, "maintenance light is steady"
    assert Mpremote(str(board.link_path)).runtime()["version"] == "1.28.0"  # the REPL answers
    board.release("A")
    code = main(["firmware", "flash", "--port", str(board.link_path), "--force"])
    out = capsys.readouterr().out
    assert code == 0 and "RESULT: OK" in out, out
