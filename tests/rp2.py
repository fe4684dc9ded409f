"""The emulated Pico in tests: availability, the firmware flashed once per session, boards from it.

Tests that need the emulated Pico skip, naming the path, when the MicroPython image and boot
ROM are not where ``tools.emulated_pico`` looks (``$SONOCART_RP2_DIR`` or ``../shared/rp2``); in
CI (``CI`` set) they are required and their absence fails the run instead. What the emulator
cannot do (README of tools/emulated_pico): RP2350 (Pico 2), core 1, pull-ups (the harness
drives released levels), ``machine.unique_id()`` (zeros): tests of those stay on the unix port
or a real rig.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import littlefs
import pytest

from sonocart.devices.pedal import LATE_BEAT_S
from sonocart.firmware_tool import flash as fw_flash
from sonocart.firmware_tool.build import Build
from tools.emulated_pico import EmulatedPico, missing_binaries
from tools.emulated_pico.pedal_board import EmulatedPedalBoard

#: Version stamped into the firmware the session flashes (a clean, releasable build).
PICO_VERSION = ("9.9.9+rp2test", False, False)
FIGURES = Path(__file__).resolve().parents[1] / "artifacts" / "rp2-figures.json"


def record_figure(key: str, value: object) -> None:
    """Add a figure measured on the emulated Pico to artifacts/rp2-figures.json (docs/firmware.md)."""
    FIGURES.parent.mkdir(exist_ok=True)
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    data[key] = value
    FIGURES.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


#: Emulated time behind wall time beyond which the board's timing no longer holds. Unloaded, the
#: emulator falls behind only while the firmware boots (about 0.5 s) and then catches up.
#: SONOCART_RP2_LAG_LIMIT_MS overrides it (a huge value reports every failure as a failure).
LAG_LIMIT_MS = float(os.environ.get("SONOCART_RP2_LAG_LIMIT_MS", "1500"))


#: A stall of this test process longer than this (its threads carry the host's bytes to the emulated
#: board and stamp them), or a gap in the cart's own heartbeats to the board of at least
#: ``pedal.LATE_BEAT_S``, means the board's view of the host no longer held either.
STALL_LIMIT_MS = float(os.environ.get("SONOCART_RP2_STALL_LIMIT_MS", "400"))

#: How long a freshly booted board may take to come up with its clock keeping pace (EmulatedPedalBoard.
#: settle: USB up, the clock advancing at least 0.8x the wall clock) before its test is skipped. Not
#: how close it is to the wall clock: the tests time the board on its own clock (board_window,
#: wait_board), and demanding 250 ms of it skipped a board only 0.3 s behind. SONOCART_RP2_SETTLE_S
#: overrides it.
SETTLE_S = float(os.environ.get("SONOCART_RP2_SETTLE_S", "10"))

_lag_seen_ms = 0.0  # the worst lag of a board already stopped during the current test
_host_gap_s = 0.0  # the longest heartbeat gap a cart reported during the current test


class _StallWatch:
    """A thread of this process that asks to run every 10 ms and keeps the worst delay it got. It runs
    only during emulated-Pico tests: elsewhere its floats would show in the zero-allocation tests."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rp2-stall-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            t = time.monotonic()
            time.sleep(0.01)
            self.worst_ms = max(self.worst_ms, (time.monotonic() - t - 0.01) * 1000)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


_watch: _StallWatch | None = None


def forget_lag(watch: bool = False) -> None:
    """A new test starts: earlier boards' lag and stalls say nothing about it. ``watch``: it runs on
    the emulated Pico, so its process's stalls are watched during it (and not during other tests)."""
    global _lag_seen_ms, _host_gap_s, _watch
    _lag_seen_ms = 0.0
    _host_gap_s = 0.0
    if not watch and _watch is not None:
        _watch.stop()
        _watch = None
    if watch and _watch is None:
        _watch = _StallWatch()
    if _watch is not None:
        _watch.worst_ms = 0.0


def note_host_gap(gap_s: float) -> None:
    """Remember the longest gap between a cart's own heartbeats that it reported (tests/hil)."""
    global _host_gap_s
    _host_gap_s = max(_host_gap_s, gap_s)


#: The marker of a test that judges an emulated board on the board's own clock (see lag_excuses);
#: registered by the conftest of each folder that uses it.
BOARD_CLOCK_MARKER = "board_clock: times an emulated board on its own clock (in CI a lag excuses no failure)"


def lag_excuses(item: pytest.Item) -> bool:
    """Whether an emulated board's lag behind the wall clock may excuse ``item``'s failure as an
    overload. Not in CI for a test marked ``board_clock`` (it times the board on the board's own
    clock: a lag changes nothing it judges, so a failure there is a failure); elsewhere, and for
    tests of the host's real-time behaviour through the board, it may."""
    return not (os.environ.get("CI") and item.get_closest_marker("board_clock"))


#: Below this rate (board ms per wall ms) the host driver's own real-time limits no longer hold
#: for a board timed on its own clock: it calls a board silent after BOARD_SILENT_S (1 s) without
#: a heartbeat, which the board sends every 250 ms of its clock; 0.5 leaves a margin of two.
MIN_PACE = 0.5


@runtime_checkable
class BoardClock(Protocol):
    """What reads an emulated board's own clock (EmulatedPico, EmulatedPedalBoard): ms of this boot."""

    def clock_ms(self) -> float: ...


def pace_reason(
    sample_s: float = 0.5,
    boards: Sequence[BoardClock] | None = None,
    *,
    wall: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """Why an emulated board's clock (each of ``boards``; default the running emulators) ran too
    slowly over ``sample_s`` of ``wall`` time for the host's real-time link, or None."""
    for board in EmulatedPico.running() if boards is None else boards:
        try:
            t0, c0 = wall(), board.clock_ms()
            sleep(sample_s)
            rate = (board.clock_ms() - c0) / ((wall() - t0) * 1000)
        except RuntimeError:
            continue
        if rate < MIN_PACE:
            return (
                f"emulated Pico's clock ran at {rate:.2f}x the wall clock (the host's link needs"
                f" {MIN_PACE:g}x):"
                " this machine was too loaded to run it in real time"
            )
    return None


def overload_reason(count_lag: bool = True) -> str | None:
    """Why the running emulated boards could not be trusted to keep real time, or None.

    Looks at each board's current boot: a test may hang the firmware on purpose (a busy loop
    cannot run in real time) and then power-cycle it. ``count_lag`` False: only the test
    process's own stalls and the cart's heartbeat gaps count (see :func:`lag_excuses`)."""
    lags = [_lag_seen_ms]
    for pico in EmulatedPico.running():
        try:
            lags.append(pico.lag_ms())
        except RuntimeError:
            continue
    worst = max(lags, default=0.0)
    stall = _watch.worst_ms if _watch is not None else 0.0
    if count_lag and worst > LAG_LIMIT_MS:
        limit = LAG_LIMIT_MS / 1000
        why = f"emulated Pico fell {worst / 1000:.1f} s behind the wall clock (limit {limit:g} s)"
    elif stall > STALL_LIMIT_MS:
        why = f"the test process carrying the host's bytes to the emulated Pico stalled {stall:.0f} ms"
    elif _host_gap_s >= LATE_BEAT_S:
        why = f"the cart under test sent the emulated Pico no heartbeat for {_host_gap_s:.1f} s"
    else:
        return None
    seen = _figures().get("overloaded_runs", 0)
    record_figure("overloaded_runs", 1 + (seen if isinstance(seen, int) else 0))
    return f"{why}: this machine was too loaded to run it in real time"


def _figures() -> dict[str, object]:
    return json.loads(FIGURES.read_text()) if FIGURES.exists() else {}


def require_rp2() -> None:
    """Skip (fail in CI) when the emulated Pico cannot boot on this machine."""
    why = missing_binaries()
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"emulated Pico required in CI: {why}")
    pytest.skip(f"emulated Pico unavailable: {why}")


def flash_image(fw: Build, workdir: Path) -> tuple[Path, float]:
    """A flash image holding ``fw``, installed by the technician tool on a blank board; and its seconds."""
    require_rp2()
    workdir.mkdir(parents=True, exist_ok=True)
    image = workdir / "pico-flash.bin"
    with EmulatedPedalBoard(image, workdir / "pedal").start() as board:
        assert board.pico.wait_link(15), "blank board never enumerated"
        t0 = time.monotonic()
        report = fw_flash.flash(str(board.link_path), fw=fw)
        took = time.monotonic() - t0
        assert report.ok, report.render()
    return image, took


def board_from(
    image: Path, workdir: Path, *, powered: bool = True, enumerate_ms: int | None = None
) -> EmulatedPedalBoard:
    """A started board whose flash is a private copy of ``image``; when ``powered``, booted: its
    port is up and its clock keeps pace with the wall clock (however far behind it, see settle)."""
    require_rp2()
    workdir.mkdir(parents=True, exist_ok=True)
    flash = workdir / "flash.bin"
    shutil.copyfile(image, flash)
    kw = {} if enumerate_ms is None else {"enumerate_ms": enumerate_ms}
    board = EmulatedPedalBoard(flash, workdir / "pedal", **kw).start(powered=powered)
    if powered and not board.settle(timeout=SETTLE_S):
        stats = board.pico.stats()
        board.stop()
        skip_overloaded(
            f"emulated Pico not booted with its clock keeping pace {SETTLE_S:g} s after boot (clock at"
            f" {float(stats['t_ms']) / 1000:.1f} s, {float(stats['lag_now_ms']) / 1000:.1f} s behind the"
            " wall clock): this machine was too loaded to run it in real time"
        )
    return board


class BoardDeadline:
    """A deadline ``ms`` ahead on ``board``'s own clock, from its now (the instant of it at which
    what the host does now reaches it). A board with a clock of its own (:class:`BoardClock`: an
    emulated Pico, whose clock runs seconds behind the wall clock on a loaded host) passes it when
    its clock has run past it, or, should it stop running, after ten times ``ms`` of ``wall`` time
    plus 5 s; on a board that keeps the host's time (the unix port, a real board; anything without
    ``clock_ms``) it is a deadline on ``wall``.

    The host's answers (ACKs, heartbeats) reach an emulated board at its own now, so what needs
    round trips through the host is late on the board's clock only by the host's own time to
    answer, not by the board's lag: no allowance for the lag is made."""

    def __init__(self, board: object, ms: float, *, wall: Callable[[], float] = time.monotonic) -> None:
        self._clock: BoardClock | None = board if isinstance(board, BoardClock) else None
        self._wall = wall
        self._wall_end = wall() + (ms / 1000 if self._clock is None else 10 * ms / 1000 + 5.0)
        self._board_end = self._clock.clock_ms() + ms if self._clock is not None else 0.0

    def passed(self) -> bool:
        if self._wall() > self._wall_end:
            return True
        return self._clock is not None and self._clock.clock_ms() >= self._board_end


def wait_board(board: object, predicate: Callable[[], bool], ms: float, poll_s: float = 0.01) -> bool:
    """Wait until ``predicate()`` holds, for up to ``ms`` of ``board``'s own clock (:class:`BoardDeadline`);
    False when it did not. Checked once more after the deadline: what the board did up to it counts."""
    deadline = BoardDeadline(board, ms)
    while not predicate():
        if deadline.passed():
            return predicate()
        time.sleep(poll_s)
    return True


def board_window(board: object, ms: float) -> None:
    """Let ``ms`` of ``board``'s own clock pass, counted from the instant of it that what the host
    does now reaches it: an observation window judged on the clock the board stamps its pins with.
    An emulated Pico (its clock may run seconds behind the wall clock on a loaded host) is waited
    for until its clock has passed the end (a stopped board fails, see ``EmulatedPico.wait_clock``);
    the unix port and a real board run on the host's clock, so there it is the wall clock."""
    if isinstance(board, EmulatedPedalBoard):
        board.run_for(ms)
    else:
        time.sleep(ms / 1000)


def ci_overload_note(why: str) -> str:
    """``why`` a test was skipped for load, said loudly in CI (``CI`` set), where the machine is
    meant to run nothing else: a skip there means the emulated-Pico coverage was lost."""
    if os.environ.get("CI"):
        return f"CI: EMULATED-PICO COVERAGE LOST, {why}"
    return why


def skip_overloaded(why: str) -> None:
    """Skip the running test because the board could not keep real time (loud in CI)."""
    pytest.skip(ci_overload_note(why))


def note_lag(board: EmulatedPedalBoard) -> None:
    """Remember how far ``board`` fell behind, before stopping it inside a failing test."""
    global _lag_seen_ms
    with contextlib.suppress(RuntimeError):
        _lag_seen_ms = max(_lag_seen_ms, board.pico.lag_ms())


# MicroPython RPI_PICO: littlefs v2 on the last 1408 KiB of the 2 MiB flash, 4 KiB blocks, programmed
# 256 bytes at a time (ports/rp2/modules/_boot.py: VfsLfs2(bdev, progsize=256)).
FS_OFFSET = 0xA0000
FS_BLOCK = 4096
FS_BLOCKS = 352
FS_PROG = 256


def _mount(data: bytes) -> tuple[littlefs.LittleFS, littlefs.UserContext]:
    ctx = littlefs.UserContext(len(data))
    ctx.buffer[:] = data
    fs = littlefs.LittleFS(
        context=ctx, block_size=FS_BLOCK, block_count=FS_BLOCKS, prog_size=FS_PROG, mount=True
    )
    return fs, ctx


def board_files(flash: Path) -> dict[str, bytes]:
    """Every file in the board's filesystem, read from its flash image with littlefs-python."""
    fs, _ = _mount(flash.read_bytes()[FS_OFFSET : FS_OFFSET + FS_BLOCK * FS_BLOCKS])
    out: dict[str, bytes] = {}
    for root, _dirs, files in fs.walk("/"):
        for name in files:
            path = f"{root.rstrip('/')}/{name}"
            with fs.open(path, "rb") as f:
                out[path] = f.read()
    return out


def write_board_file(flash: Path, path: str, content: bytes) -> None:
    """Replace file ``path`` in the filesystem of the (unpowered) board's flash image ``flash``."""
    image = bytearray(flash.read_bytes())
    fs, ctx = _mount(bytes(image[FS_OFFSET : FS_OFFSET + FS_BLOCK * FS_BLOCKS]))
    with fs.open(path, "wb") as f:
        f.write(content)
    fs.unmount()
    image[FS_OFFSET : FS_OFFSET + FS_BLOCK * FS_BLOCKS] = ctx.buffer
    flash.write_bytes(bytes(image))
