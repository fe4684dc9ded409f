"""Drive the shipped cart with no window: ``sonocart run --headless`` as a child, JSON lines each way.

What the rig tests and the soak measure is this process — the product — not a stand-in. Every line
the cart prints is kept with the host time it arrived, so a test can wait for an event and time it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sonocart.cart.settings import UiSettings, demo_operators
from sonocart.devices.pedal import LATE_BEAT_TEXT
from sonocart.journal.store import Journal
from sonocart.records.record import JOURNAL_NAME

ROOT = Path(__file__).resolve().parents[2]
_LATE_BEAT = re.compile(re.escape(LATE_BEAT_TEXT).replace(re.escape("{gap:.1f}"), r"([0-9.]+)"))
EXAMPLE = ROOT / "host" / "sonocart" / "procedures" / "examples" / "femoral_block.toml"


class HeadlessError(AssertionError):
    """The cart did not say what was expected in time; the message lists what it did say."""


@dataclass(frozen=True)
class Line:
    t: float  # host monotonic time the line arrived
    data: dict[str, Any]

    @property
    def event(self) -> str:
        return str(self.data.get("event", ""))


class HeadlessCart:
    """``sonocart run --headless`` on given device ports (None: simulated, as ``make run``); :meth:`close`
    stops it (nothing left running)."""

    def __init__(
        self,
        run_dir: Path,
        probe_port: str | None,
        pedal_port: str | None,
        *,
        resume: Path | None = None,
        status_every_s: float = 1.0,
        stderr: Any = None,
    ) -> None:
        settings = run_dir / "settings.json"
        if not settings.exists():  # the rig's roster: the example script's team, whose time-out PINs it gives
            UiSettings(operators=demo_operators()).save(settings)
        cmd = [sys.executable, "-m", "sonocart", "run", "--headless", "--run-dir", str(run_dir)]
        cmd += ["--status-every", str(status_every_s)]
        cmd += ["--probe", probe_port] if probe_port else []  # none: the simulator, as make run
        cmd += ["--pedal", pedal_port] if pedal_port else []
        cmd += ["--resume", str(resume)] if resume else []
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, bufsize=1
        )
        self.lines: list[Line] = []
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, name="headless-reader", daemon=True).start()
        self.ready = self.wait("ready", timeout=60.0).data
        self.pid = int(self.ready["pid"])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                data = json.loads(raw)
            except json.JSONDecodeError:
                data = {"event": "unparsed", "text": raw.rstrip()}
            with self._cond:
                self.lines.append(Line(time.monotonic(), data))
                self._cond.notify_all()
        with self._cond:
            self.lines.append(Line(time.monotonic(), {"event": "exited"}))
            self._cond.notify_all()

    # -- observing --------------------------------------------------------------------------------
    def mark(self) -> int:
        """An index into :attr:`lines`: wait for what comes after it."""
        with self._cond:
            return len(self.lines)

    def wait(
        self,
        event: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda _d: True,
        timeout: float = 10.0,
        since: int = 0,
    ) -> Line:
        """The first ``event`` line at or after index ``since`` for which ``predicate`` holds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            i = since
            while True:
                while i < len(self.lines):
                    line = self.lines[i]
                    i += 1
                    if line.event == event and predicate(line.data):
                        return line
                    if line.event == "exited":
                        raise HeadlessError(f"the cart exited before {event}; {self._tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HeadlessError(f"no {event} line within {timeout} s; {self._tail()}")
                self._cond.wait(left)

    def events(self, event: str, since: int = 0) -> list[Line]:
        with self._cond:
            return [x for x in self.lines[since:] if x.event == event]

    def longest_heartbeat_gap_s(self) -> float:
        """The longest gap between the cart's own heartbeats to the pedal board that the cart reported
        (with the board's "host lost"): 0.0 when it reported none."""
        with self._cond:
            faults = [str(x.data.get("fault") or "") for x in self.lines if x.event == "device"]
        return max((float(m.group(1)) for f in faults if (m := _LATE_BEAT.search(f))), default=0.0)

    def _tail(self, n: int = 12) -> str:
        shown = [x.data for x in self.lines[-n:] if x.event != "status"]
        return "last lines: " + "; ".join(json.dumps(d)[:160] for d in shown)

    # -- commanding -------------------------------------------------------------------------------
    def command(self, cmd: str, timeout: float = 20.0, **fields: Any) -> dict[str, Any]:
        """Send one command; its reply (raises if the cart refused it)."""
        since = self.mark()
        assert self.proc.stdin is not None
        with self._write_lock:
            self.proc.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
            self.proc.stdin.flush()
        reply = self.wait("reply", lambda d: d.get("cmd") == cmd, timeout, since).data
        if not reply.get("ok"):
            raise HeadlessError(f"{cmd} refused: {reply.get('error')}")
        return reply

    def open_example(self, inputs: int = 6) -> str:
        """Open the example femoral block and play its first inputs; the record's path."""
        return str(self.command("open_script", script=str(EXAMPLE), inputs=inputs)["record"])

    # -- ending -----------------------------------------------------------------------------------
    def kill_core(self) -> float:
        """SIGKILL the cart process itself (as a crash would); the launcher then exits. Time of the kill."""
        t = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(15)
        return t

    def freeze_core(self, stopped: bool) -> float:
        """SIGSTOP / SIGCONT the cart process (a hung host: its heartbeats stop). Time of the signal."""
        t = time.monotonic()
        os.kill(self.pid, signal.SIGSTOP if stopped else signal.SIGCONT)
        return t

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        with contextlib.suppress(ProcessLookupError):  # never leave the core behind
            os.kill(self.pid, signal.SIGKILL)

    def __enter__(self) -> HeadlessCart:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def journaled_gestures(record_path: Path) -> list[dict[str, Any]]:
    """Every pedal gesture on the record (the journal verified first), in journal order, with its seq."""
    with Journal(record_path / JOURNAL_NAME) as journal:
        journal.verify()
        return [{"seq": e.seq, **e.payload} for e in journal.events() if e.type == "pedal_gesture"]
