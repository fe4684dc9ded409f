"""Python driver of the emulated Pico (``emulator.mjs``): start, stop, pins, USB serial on a pty.

The Node process is the chip; this object owns it and the host side of its USB serial port:
while the board's USB device is enumerated, its CDC port is the slave of a pty reachable
through ``link_path`` (an atomic symlink, as udev makes ``/dev/sonocart-pedal``). Across a reset
or a power cycle the link goes away and comes back when the new boot enumerates again, like
``/dev/ttyACM0``. Everything the chip reports (boots, USB up/down, edges of watched pins,
decoded WS2812 frames, watchdog resets) is kept in order as :class:`PicoEvent` with the board's
own timestamp (milliseconds since its last reset, what its ``time.ticks_ms()`` returns) and the
host's ``time.monotonic()`` on arrival. Input changes and USB data reach the chip, in the order
they were made, at the instant of its own clock at which the emulator reads them: on a loaded
host the chip's clock runs behind the wall clock, and the host's answers keep their promptness
on the board's clock instead of arriving a lag late (tools/emulated_pico/board.mjs).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from sonocart.sim.pty import PtyEndpoint
from tools.emulated_pico.binaries import EMULATOR, missing_binaries, node, rp2_dir
from tools.emulated_pico.throttle import Throttle, start_throttle

_HEADER = struct.Struct("<cI")
#: The host's USB stack, kernel and udev take about this long after a reset to give the board's
#: serial port a name again (a real Pico's /dev/ttyACM0 is gone for about a second).
DEFAULT_ENUMERATE_MS = 800
#: The emulator needs about two thirds of a core to keep the idle firmware in real time (the
#: firmware keeps an RP2040 about 20 % busy; rp2040js runs it at about 0.3x per host core). On a
#: machine shared with other test runs it is given a higher priority (a lower nice value) so
#: that its clock keeps up with the wall clock; set SONOCART_EMULATOR_NICE=0 to leave it alone.
#: With the kernel's autogroup scheduling (Debian's default) a nice value only ranks processes
#: of one session, so the emulator gets a session of its own and that autogroup the nice value.
NICE_ENV = "SONOCART_EMULATOR_NICE"
DEFAULT_NICE = -10


def raise_priority(pid: int, nice: int) -> None:
    """Give process ``pid`` (a session leader) the nice value ``nice``, and its autogroup too;
    where that is not permitted (an unprivileged user) it runs as it is."""
    if nice == 0:
        return
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    with contextlib.suppress(OSError), open(f"/proc/{pid}/autogroup", "w") as f:
        f.write(str(nice))


@dataclass(frozen=True)
class PicoEvent:
    """Something the chip did: ``kind`` is boot, usb, pin, ws2812, watchdog or off."""

    kind: str
    board_ms: float
    host_s: float
    data: dict[str, Any] = field(default_factory=dict)


class EmulatedPico:
    """One emulated board; thread-safe; :meth:`stop` (or ``with``) leaves nothing running."""

    _live: ClassVar[set[EmulatedPico]] = set()

    @classmethod
    def running(cls) -> list[EmulatedPico]:
        """The emulators started and not yet stopped in this process."""
        return list(cls._live)

    def __init__(
        self,
        flash_path: Path,
        link_path: Path,
        *,
        rp2: Path | None = None,
        enumerate_ms: int = DEFAULT_ENUMERATE_MS,
        log_path: Path | None = None,
    ) -> None:
        self.flash_path = Path(flash_path)
        self.link_path = Path(link_path)
        self.rp2 = rp2 if rp2 is not None else rp2_dir()
        self.enumerate_ms = enumerate_ms
        self.log_path = log_path if log_path is not None else self.flash_path.with_suffix(".log")
        self._proc: subprocess.Popen[bytes] | None = None
        self._stdin: IO[bytes] | None = None
        self._write_lock = threading.Lock()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._events: list[PicoEvent] = []
        self._replies: dict[int, dict[str, Any]] = {}
        self._next_id = 0
        self._pty: PtyEndpoint | None = None
        self._serve_at = self.link_path  # where the USB port appears (link_at moves it)
        self._threads: list[threading.Thread] = []
        self._running = False
        self.dropped_to_host = 0  # bytes the board sent while nobody read its port
        self._throttle: Throttle | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> EmulatedPico:
        """Start the emulator (the board unpowered); raise with the reason when it cannot run."""
        why = missing_binaries(self.rp2)
        if why is not None:
            raise RuntimeError(f"emulated Pico unavailable: {why}")
        cmd = [
            node(),
            str(EMULATOR),
            "--rp2-dir",
            str(self.rp2),
            "--flash",
            str(self.flash_path),
            "--enumerate-ms",
            str(self.enumerate_ms),
        ]
        nice = int(os.environ.get(NICE_ENV, DEFAULT_NICE))
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=nice != 0,  # its own autogroup (it still exits when stdin closes)
            )
        raise_priority(self._proc.pid, nice)
        self._stdin = self._proc.stdin
        self._running = True
        EmulatedPico._live.add(self)
        for target, name in ((self._read_emulator, "pico-events"), (self._read_host, "pico-host")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        self._throttle = start_throttle(self._proc)  # a loaded host, on request
        if self.wait_event(lambda e: e.kind == "ready", 10.0) is None:
            self.stop()
            raise RuntimeError(f"emulator did not start; see {self.log_path}")
        return self

    def stop(self) -> None:
        self._running = False
        EmulatedPico._live.discard(self)
        if self._throttle is not None:
            self._throttle.stop()
            self._throttle = None
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(OSError), self._write_lock:
                if self._stdin is not None:
                    self._stdin.close()  # the emulator exits when its stdin closes
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for t in self._threads:
            t.join(5)  # the reader ends at the exited emulator's end of output
        self._threads = []
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()  # after: closed under the reader, its read raised ValueError
        self._close_pty()

    def __enter__(self) -> EmulatedPico:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the board ---------------------------------------------------------------------------------
    def power_on(self) -> None:
        self.command("power", on=True)

    def power_off(self) -> None:
        self.command("power", on=False)

    def reset(self) -> None:
        """Pull the RUN pin low and release it: a chip reset that keeps only the flash."""
        self.command("reset")

    def set_input(self, gpio: int, level: bool) -> float:
        """Drive input ``gpio`` to ``level`` now; return the board time (ms) it changed at."""
        return self.set_inputs({gpio: level})

    def set_inputs(self, levels: dict[int, bool]) -> float:
        """Drive several inputs at the same instant, the board's now; return that board time (ms)."""
        reply = self.command("inputs", levels={str(g): int(v) for g, v in levels.items()})
        return float(reply["t_ms"])

    def drive(self, gpio: int, edges: Sequence[tuple[int, bool]]) -> float:
        """Drive ``gpio`` through ``edges`` ((microseconds from the board's now, level), ...) on the
        board's clock; return the board time (ms) of that now."""
        reply = self.command("edges", pin=gpio, edges=[[int(us), int(level)] for us, level in edges])
        return float(reply["t_ms"])

    def watch(self, gpio: int) -> None:
        """Report every edge of output ``gpio`` as a ``pin`` event."""
        self.command("watch", pin=gpio)

    def decode_ws2812(self, gpio: int) -> None:
        """Report every frame sent on WS2812 data line ``gpio`` as a ``ws2812`` event."""
        self.command("ws2812", pin=gpio)

    def clock_ms(self) -> float:
        """The board's own clock now: what its ``ticks_ms()`` reads at this moment (unwrapped; 0
        while unpowered), and the instant of it at which what the host does now reaches the board.
        Behind the wall clock since boot by the emulator's lag on a loaded host (:meth:`stats`)."""
        return float(self.command("stats")["t_ms"])

    def wait_clock(self, until_ms: float, timeout: float | None = None) -> float:
        """Wait until the board's own clock has reached ``until_ms`` of its current boot; return it.

        Every event the board stamped up to then has arrived (events and the reply come in order).
        ``timeout`` (wall seconds, default ten times the board time left plus 5 s) only bounds a
        board that stopped: raise, saying so, if it is unpowered, rebooted or did not advance."""
        first = self.stats()
        boots, start = int(first["boots"]), float(first["t_ms"])
        if timeout is None:
            timeout = 10 * max(until_ms - start, 0.0) / 1000 + 5.0
        deadline = time.monotonic() + timeout
        now = start
        while now < until_ms:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the board's clock went only from {start:.0f} to {now:.0f} ms in {timeout:.1f} s"
                    f" of wall time, not to {until_ms:.0f} ms: the emulated Pico stopped advancing"
                )
            time.sleep(min(0.02, max(until_ms - now, 1.0) / 1000))
            stats = self.stats()
            if not stats["on"] or int(stats["boots"]) != boots:
                raise RuntimeError(f"board powered off or rebooted before its clock got to {until_ms:.0f} ms")
            now = float(stats["t_ms"])
        return now

    def run_for(self, ms: float, start: float | None = None) -> tuple[float, float]:
        """A window of ``ms`` of the board's own clock from ``start`` (board ms; default its now,
        when what the host does now reaches it): return (start, end) once the board's clock has
        passed the end, however far behind the wall clock it runs."""
        begin = self.clock_ms() if start is None else start
        self.wait_clock(begin + ms)
        return begin, begin + ms

    def stats(self) -> dict[str, Any]:
        """boots, t_ms, lag_ms and max_lag_ms (how far emulated time fell behind wall time, this
        boot and since start: a loaded host makes the board slow to react), lag_now_ms,
        host_seen_ms and host_writes (the board's clock at the host's last bytes, how many), on."""
        return self.command("stats")

    def lag_ms(self) -> float:
        """How far the board's clock fell behind the wall clock at worst since its last reset."""
        return float(self.stats()["lag_ms"])

    @contextlib.contextmanager
    def link_at(self, path: Path) -> Iterator[Path]:
        """Serve the board's USB serial port at ``path`` instead of ``link_path`` while in the
        block, as when its cable goes from the cart to a technician's laptop: whoever holds
        ``link_path`` (the host driver) sees its port vanish, and neither reads what the board sends
        there nor writes into it (a host's frames hold 0x02, 0x03 and 0x04 bytes, which the REPL
        takes for Ctrl-B, Ctrl-C and Ctrl-D). After the block the port is at ``link_path`` again.
        The chip sees none of this: its USB stays up. Yield ``path``."""
        self._move_link(Path(path))
        try:
            yield Path(path)
        finally:
            self._move_link(self.link_path)

    def _move_link(self, path: Path) -> None:
        with self._changed:
            self._serve_at = path
            if self._pty is not None:
                self._open_pty()

    @property
    def pid(self) -> int | None:
        """The emulator process's id (None before :meth:`start`)."""
        return self._proc.pid if self._proc is not None else None

    @property
    def link_up(self) -> bool:
        with self._lock:
            return self._pty is not None

    def events(self, since: int = 0) -> list[PicoEvent]:
        with self._lock:
            return list(self._events[since:])

    def event_count(self) -> int:
        with self._lock:
            return len(self._events)

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` (called under the lock) holds; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
            return True

    def wait_event(
        self, predicate: Callable[[PicoEvent], bool], timeout: float, since: int = 0
    ) -> PicoEvent | None:
        """The first event from index ``since`` on matching ``predicate``, waiting up to ``timeout``."""
        found: list[PicoEvent] = []

        def seen() -> bool:
            found[:] = [e for e in self._events[since:] if predicate(e)][:1]
            return bool(found)

        return found[0] if self.wait_for(seen, timeout) else None

    def wait_link(self, timeout: float) -> bool:
        return self.wait_for(lambda: self._pty is not None, timeout)

    # -- the emulator's protocol -------------------------------------------------------------------
    def command(self, name: str, **args: Any) -> dict[str, Any]:
        """Send one command; return its reply (raise on an error reply or no reply in 5 s)."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        self._send(b"C", json.dumps({"cmd": name, "id": ident, **args}).encode())
        deadline = time.monotonic() + 5.0
        with self._changed:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or not self._running:
                    raise RuntimeError(f"emulator did not answer {name!r}; see {self.log_path}")
                self._changed.wait(min(left, 0.05))
            reply = self._replies.pop(ident)
        if reply.get("ev") == "error":
            raise RuntimeError(f"emulator refused {name!r}: {reply.get('message')}")
        return reply

    def _send(self, kind: bytes, payload: bytes) -> None:
        with self._write_lock:
            if self._stdin is None or self._stdin.closed:
                raise RuntimeError("emulator not running")
            self._stdin.write(_HEADER.pack(kind, len(payload)) + payload)
            self._stdin.flush()

    def _read_emulator(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        out = proc.stdout
        while True:
            head = out.read(_HEADER.size)
            if len(head) < _HEADER.size:
                break
            kind, length = _HEADER.unpack(head)
            payload = out.read(length)
            if kind == b"S":
                self._to_host(payload)
            elif kind == b"E":
                self._on_event(json.loads(payload))
        with self._changed:
            self._running = False
            self._changed.notify_all()
        self._close_pty()

    def _on_event(self, ev: dict[str, Any]) -> None:
        kind = str(ev.pop("ev"))
        if kind in ("ok", "error"):
            with self._changed:
                self._replies[int(ev.get("id") or 0)] = {"ev": kind, **ev}
                self._changed.notify_all()
            return
        if kind == "usb":
            if ev["up"]:
                self._open_pty()
            else:
                self._close_pty()
        event = PicoEvent(kind, float(ev.pop("t_ms", 0.0)), time.monotonic(), ev)
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    # -- the host side of the USB serial port ------------------------------------------------------
    def _open_pty(self) -> None:
        with self._changed:
            old, self._pty = self._pty, None
            if old is not None:
                old.close()  # first: it may hold the same path
            self._pty = PtyEndpoint(self._serve_at)
            self._changed.notify_all()

    def _close_pty(self) -> None:
        with self._changed:
            ep, self._pty = self._pty, None
            self._changed.notify_all()
        if ep is not None:
            ep.close()

    def _to_host(self, data: bytes) -> None:
        with self._lock:
            ep = self._pty
        if ep is None:
            self.dropped_to_host += len(data)
            return
        view = memoryview(data)
        while view:
            try:
                n = os.write(ep.master, view)
            except (BlockingIOError, OSError):  # nobody reads the port: a USB host NAKs, the data is lost
                self.dropped_to_host += len(view)
                return
            view = view[n:]

    def _read_host(self) -> None:
        while self._running:
            with self._lock:
                ep = self._pty
            if ep is None:
                time.sleep(0.01)
                continue
            try:
                ready, _, _ = select.select([ep.master], [], [], 0.05)
                data = ep.read() if ready else b""
            except (OSError, ValueError):  # closed under us by a reset
                continue
            if data:
                with contextlib.suppress(RuntimeError):
                    self._send(b"S", data)
