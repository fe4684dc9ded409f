"""Shared test setup: import paths for firmware and MicroPython-subset tests, simulated devices."""

from __future__ import annotations

import copy
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from sonocart.cart.settings import Operator, demo_operators
from sonocart.firmware_tool.build import Build, build

from . import rp2

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
for extra in (ROOT / "firmware", ROOT / "tests" / "mp"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))


DISK_TMP = ROOT / ".pytest-tmp"
#: Where a run's temporary files go when /dev/shm can take them: a tmpfs, so the journals' fsyncs (SQLite
#: WAL, synchronous=FULL: one per entry) cost nothing and no other work's disk traffic slows them. On
#: this 2-core host, the cart, records, procedures, hostile, install and view-model tests took 116 s
#: instead of 134 s on the disk (docs/testing.md).
SHM_TMP = Path("/dev/shm/sonocart-tests")
#: The room a run needs there, with margin: the whole suite peaked at 311 MiB (the update tests'
#: bundles; a passing test's tmp_path is removed when it ends: tmp_path_retention_policy).
SHM_NEEDED = 1 << 30


def scratch_root() -> Path:
    """The folder a run's temporary folders go in: ``$SONOCART_TEST_TMP`` if set, else the tmpfs at
    /dev/shm when it is one with room to spare, else ``.pytest-tmp`` under the checkout."""
    if chosen := os.environ.get("SONOCART_TEST_TMP"):
        return Path(chosen)
    try:
        SHM_TMP.mkdir(mode=0o755, exist_ok=True)
        room = os.statvfs(SHM_TMP)
        on_tmpfs = any(
            line.split()[1] == "/dev/shm" and line.split()[2] == "tmpfs"
            for line in Path("/proc/mounts").read_text().splitlines()
        )
    except OSError:
        return DISK_TMP
    if on_tmpfs and os.access(SHM_TMP, os.W_OK) and room.f_bavail * room.f_frsize >= SHM_NEEDED:
        return SHM_TMP
    return DISK_TMP


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Temporary files in a folder of this run, under :func:`scratch_root`, unless --basetemp is given.

    pytest's default, /tmp/pytest-of-<user>/, keeps only the last three runs of that user: on a
    machine where several people run tests as the same user, another run deletes this run's
    files (pty links, flash images) while its tests still use them. Folders of finished runs
    are removed when the next run starts. ``TMPDIR`` is left as it is: the throwaway install roots
    (tests/install) stay in /tmp, a disk here, not in memory.
    """
    root = scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    # The cart key of this run (journals sign with it), never the user's own ~/.local/state/sonocart.
    os.environ.setdefault("SONOCART_KEY_DIR", str(root / f"keys-{os.getpid()}"))
    if config.option.basetemp:
        return
    for old in [*root.glob("run-*"), *root.glob("keys-*")]:
        tail = old.name.partition("-")[2]
        pid = int(tail) if tail.isdigit() else 0
        if pid and pid != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)
    config.option.basetemp = str(root / f"run-{os.getpid()}")


@functools.cache
def _demo_team() -> tuple[Operator, ...]:
    return tuple(demo_operators())


def demo_team() -> list[Operator]:
    """The demo team (PIN 1234 each), hashed once per test process: three scrypts of about 0.03 s each
    (settings.hash_pin, the real cost). Every call returns its own deep copy, so no test sees another's
    changes to its roster."""
    return copy.deepcopy(list(_demo_team()))


class SimProcess:
    """A ``sonocart sim`` process serving the simulated probe on a pty symlink."""

    def __init__(self, link: Path, args: list[str]) -> None:
        self.link = link
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 20.0) -> SimProcess:
        return self.spawn().ready(timeout_s)

    def spawn(self) -> SimProcess:
        """Start the process and return at once (it boots while the caller does other work)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sonocart", "sim", "--link", str(self.link), *self.args],
            stdout=subprocess.DEVNULL,
        )
        return self

    def ready(self, timeout_s: float = 20.0) -> SimProcess:
        """Wait until the spawned simulator serves its pty link."""
        assert self.proc is not None, "spawn() first"
        deadline = time.monotonic() + timeout_s
        while not self.link.exists():
            assert self.proc.poll() is None, f"simulator exited with {self.proc.returncode}"
            if time.monotonic() >= deadline:
                self.kill()  # (not left running, orphaned, once the test has failed)
                raise AssertionError(f"simulator did not create its pty link in {timeout_s:g} s")
            time.sleep(0.02)
        return self

    def kill(self) -> None:
        """Stop the simulator abruptly, as a pulled cable would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.link.is_symlink():
            self.link.unlink()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


@pytest.fixture
def probe_sim(tmp_path: Path) -> Iterator[Callable[..., SimProcess]]:
    """Factory: ``probe_sim("--probe", "linear")`` starts a simulator; all are stopped at teardown."""
    started: list[SimProcess] = []

    def start(*args: str) -> SimProcess:
        sim = SimProcess(tmp_path / "probe", list(args)).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Poll ``predicate`` until true; return the seconds it took, fail with ``what`` otherwise."""
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > timeout_s:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - t0


@pytest.fixture(scope="session")
def pico_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The firmware compiled for the Pico (a clean, versioned build), once per session."""
    return build("pico", tmp_path_factory.mktemp("pico-fw"), version=rp2.PICO_VERSION)


@pytest.fixture(scope="session")
def pico_image(pico_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An emulated Pico's flash with ``pico_build`` installed by ``sonocart firmware flash``."""
    image, took = rp2.flash_image(pico_build, tmp_path_factory.mktemp("pico-image"))
    rp2.record_figure("flash_blank_board_s", round(took, 1))
    return image


def pytest_runtest_setup(item: pytest.Item) -> None:
    rp2.forget_lag(watch=item.get_closest_marker("rp2") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failure on the emulated Pico while its clock fell far behind the wall clock is reported
    as a skip saying so: the host was too loaded to run the board in real time (tests/rp2.py).
    In CI a test marked ``board_clock`` judges the board on its own clock, so its board's lag
    excuses nothing: it fails, unless its clock runs too slowly for the host's own real-time limits
    (rp2.pace_reason) or the test process stalled (rp2.lag_excuses)."""
    report: pytest.TestReport = yield
    if report.failed and report.when in ("setup", "call") and item.get_closest_marker("rp2"):
        why = rp2.overload_reason(count_lag=rp2.lag_excuses(item))
        if why is None and not rp2.lag_excuses(item):
            why = rp2.pace_reason()  # too slow for the host's own real-time limits
            lagged = rp2.overload_reason()
            if why is None and lagged is not None:
                report.sections.append(("emulated Pico", f"not excused (board_clock, CI): {lagged}"))
        if why is not None:
            report.outcome = "skipped"
            first = str(report.longrepr).strip().splitlines()[-1][:200] if report.longrepr else ""
            line = item.location[1] or 0
            why = rp2.ci_overload_note(why)
            report.longrepr = (str(item.path), line, f"Skipped: {why}; it failed with: {first}")
    return report
