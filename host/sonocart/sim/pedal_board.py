"""The simulated pedal board: the built firmware (.mpy) on the MicroPython unix port, on a pty.

:func:`start_simulated_board` compiles the firmware for the ``sim`` target (unless
given a build), makes a pty whose slave is exposed through ``link_path`` (as udev
exposes ``/dev/sonocart-pedal``) and runs ``micropython`` with the pty master as its
stdin/stdout, exactly where the Pico has its USB serial. The returned
:class:`SimulatedPedalBoard` moves the simulated contacts (press, release, tap,
hold, bouncy edges, connector unplug), resets or power-cycles the board (the pty
vanishes and comes back, like USB re-enumeration), and reads back the light and
buzzer pins. Each pin change is stamped with the board's own millisecond tick.

With ``control_path`` the same commands are served as a line protocol on a UNIX
socket, for a hardware-in-loop rig suite or a second process (see
docs/firmware.md, "Simulated board")::

    press A | release A | bounce A 1 | tap A [ms] | hold A [ms]
    unplug | replug | reset [cause] | power off | power on
    light            -> "rgb R G B"
    buzzer           -> "buzzer 0|1"
    boot             -> "boot BOOT_ID CAUSE"
Every command answers one line: "ok ...", a value, or "error ...".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sonocart.firmware_tool.build import Build, build
from sonocart.firmware_tool.paths import BUILD_DIR, tool
from sonocart.sim.pty import PtyEndpoint
from sonocart.wire import pedal_codec as pc

EXIT_WATCHDOG = 3


@dataclass(frozen=True)
class PinChange:
    board_ms: int
    pin: str  # "rgb", "buzzer", "boot", "watchdog", "maintenance"
    values: tuple[int, ...]


class SimulatedPedalBoard:
    """A running simulated board; thread-safe; :meth:`stop` when done."""

    #: The reset cause the firmware reports after :meth:`reset` with its default argument.
    RESET_CAUSE = pc.RESET_NAMES[pc.RESET_SOFT]

    def __init__(
        self,
        link_path: Path,
        control_path: Path | None = None,
        fw: Build | None = None,
        board_id: str = "sim-0001",
    ) -> None:
        self.link_path = Path(link_path)
        self.control_path = Path(control_path) if control_path else None
        # A private build unless one is given: a board never runs modules another process is rebuilding.
        self._own_build = Path(tempfile.mkdtemp(prefix="sonocart-pedal-sim-")) if fw is None else None
        self.build = fw if fw is not None else build("sim", self._own_build or BUILD_DIR)
        self.board_id = board_id
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._log: list[PinChange] = []
        self._rgb: tuple[int, int, int] = (0, 0, 0)
        self._buzzer = False
        self._boot: tuple[int, int] = (0, 0)
        self._proc: subprocess.Popen[bytes] | None = None
        self._pty: PtyEndpoint | None = None
        self._ctrl: int | None = None
        self._stopping = False
        self._powered = False
        self.boots = 0
        self.stderr_path = self.build.out_dir / "micropython-stderr.log"
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> SimulatedPedalBoard:
        self.power_on()
        if self.control_path is not None:
            self._serve_control(self.control_path)
        return self

    def stop(self) -> None:
        self._stopping = True
        self.power_off()
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.close()
            if self.control_path is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.control_path.unlink()
        if self._own_build is not None:
            shutil.rmtree(self._own_build, ignore_errors=True)

    def __enter__(self) -> SimulatedPedalBoard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def power_on(self, reset_cause: int = pc.RESET_POWER_ON) -> None:
        """Power the board: a fresh pty at ``link_path``, the firmware booting on it."""
        with self._lock:
            if self._powered:
                return
            self._powered = True
            self._spawn(reset_cause)

    def power_off(self) -> None:
        """Cut power: the process ends and the pty (the USB serial port) vanishes."""
        with self._lock:
            self._powered = False
            proc, ep, ctrl = self._proc, self._pty, self._ctrl
            self._proc = self._pty = self._ctrl = None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait(5)
        if ctrl is not None:
            with contextlib.suppress(OSError):
                os.close(ctrl)
        if ep is not None:
            ep.close()

    def reset(self, reset_cause: int = pc.RESET_SOFT) -> None:
        """Reset the board (the USB port re-enumerates: the pty goes and comes back)."""
        self.power_off()
        self.power_on(reset_cause)

    def _spawn(self, reset_cause: int) -> None:
        ep = PtyEndpoint(self.link_path)
        ctrl_r, ctrl_w = os.pipe()
        pins_r, pins_w = os.pipe()
        env = dict(
            os.environ,
            MICROPYPATH=os.pathsep.join([".frozen", str(self.build.lib_dir)]),
            SONOCART_SIM_CTRL_FD=str(ctrl_r),
            SONOCART_SIM_PINS_FD=str(pins_w),
            SONOCART_SIM_RESET_CAUSE=str(reset_cause),
            SONOCART_SIM_BOARD_ID=self.board_id,
        )
        with open(self.stderr_path, "ab") as err:
            proc = subprocess.Popen(
                [tool("micropython"), "-c", "import board_sim; board_sim.main()"],
                stdin=ep.master,
                stdout=ep.master,
                stderr=err,
                pass_fds=(ctrl_r, pins_w),
                env=env,
                cwd=str(self.build.out_dir),
            )
        os.close(ctrl_r)
        os.close(pins_w)
        self._proc, self._pty, self._ctrl = proc, ep, ctrl_w
        self.boots += 1
        t = threading.Thread(target=self._read_pins, args=(proc, pins_r), name="pedal-sim-pins", daemon=True)
        t.start()

    def _read_pins(self, proc: subprocess.Popen[bytes], fd: int) -> None:
        with os.fdopen(fd, "rb") as pins:
            for raw in pins:
                parts = raw.decode(errors="replace").split()
                if len(parts) < 2:
                    continue
                try:
                    change = PinChange(int(parts[0]), parts[1], tuple(int(v) for v in parts[2:]))
                except ValueError:
                    continue
                with self._changed:
                    self._log.append(change)
                    if change.pin == "rgb" and len(change.values) == 3:
                        self._rgb = (change.values[0], change.values[1], change.values[2])
                    elif change.pin == "buzzer" and change.values:
                        self._buzzer = bool(change.values[0])
                    elif change.pin == "boot" and len(change.values) == 2:
                        self._boot = (change.values[0], change.values[1])
                    self._changed.notify_all()
        code = proc.wait()
        with self._lock:
            restart = code == EXIT_WATCHDOG and self._proc is proc and not self._stopping
        if restart:  # the simulated watchdog bit: the board resets itself
            self.power_off()
            self.power_on(pc.RESET_WATCHDOG)

    # -- the pedals ------------------------------------------------------------------------------
    def _send(self, line: str) -> None:
        with self._lock:
            fd = self._ctrl
            if fd is None:
                raise RuntimeError("simulated board is powered off")
            os.write(fd, line.encode() + b"\n")

    def press(self, pedal: str = "A", bounce: bool = False) -> None:
        self._send(f"bounce {pedal} 1" if bounce else f"pedal {pedal} 1")

    def release(self, pedal: str = "A", bounce: bool = False) -> None:
        self._send(f"bounce {pedal} 0" if bounce else f"pedal {pedal} 0")

    def tap(self, pedal: str = "A", ms: int = 120) -> None:
        self.press(pedal)
        time.sleep(ms / 1000)
        self.release(pedal)

    def hold(self, pedal: str = "A", ms: int = 900) -> None:
        self.tap(pedal, ms)

    def unplug(self) -> None:
        """Pull the pedal connector (the board stays powered)."""
        self._send("present 0")

    def replug(self) -> None:
        self._send("present 1")

    def stall(self) -> None:
        """Hang the firmware's pedals task: its health check then stops feeding the watchdog."""
        self._send("stall")

    # -- readback --------------------------------------------------------------------------------
    def light(self) -> tuple[int, int, int]:
        with self._lock:
            return self._rgb

    def buzzer(self) -> bool:
        with self._lock:
            return self._buzzer

    def boot(self) -> tuple[int, int]:
        """(boot_id, reset_cause) the board printed at its last boot."""
        with self._lock:
            return self._boot

    def pin_log(self, since_index: int = 0) -> list[PinChange]:
        with self._lock:
            return list(self._log[since_index:])

    def log_length(self) -> int:
        with self._lock:
            return len(self._log)

    def board_ms(self) -> int:
        """The board's time.ticks_ms() now: the unix port's is CLOCK_MONOTONIC ms, wrapped at 2**30."""
        return int(time.monotonic() * 1000) & ((1 << 30) - 1)

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

    # -- control socket --------------------------------------------------------------------------
    def _serve_control(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        server.listen(4)
        self._server = server
        t = threading.Thread(target=self._accept, args=(server,), name="pedal-sim-control", daemon=True)
        t.start()
        self._threads.append(t)

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), name="pedal-sim-client", daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb", buffering=0) as f:
            for raw in f:
                reply = self.command(raw.decode(errors="replace"))
                f.write(reply.encode() + b"\n")

    def command(self, line: str) -> str:
        """Run one control-protocol line; return its one-line answer."""
        words = line.split()
        if not words:
            return "error empty command"
        verb, args = words[0].lower(), words[1:]
        try:
            return self._dispatch(verb, args)
        except (RuntimeError, ValueError, IndexError) as exc:
            return f"error {exc}"

    def _dispatch(self, verb: str, args: list[str]) -> str:
        pedal = args[0].upper() if args else "A"
        if args and verb in ("press", "release", "bounce", "tap", "hold") and pedal not in pc.PEDAL_NAMES:
            raise ValueError(f"no pedal {args[0]!r}")
        if verb == "press":
            self.press(pedal)
        elif verb == "release":
            self.release(pedal)
        elif verb == "bounce":
            (self.press if args[1] == "1" else self.release)(pedal, True)
        elif verb == "tap":
            self.tap(pedal, int(args[1]) if len(args) > 1 else 120)
        elif verb == "hold":
            self.hold(pedal, int(args[1]) if len(args) > 1 else 900)
        elif verb == "unplug":
            self.unplug()
        elif verb == "replug":
            self.replug()
        elif verb == "reset":
            self.reset(int(args[0]) if args else pc.RESET_SOFT)
        elif verb == "power":
            (self.power_on if args[0] == "on" else self.power_off)()
        elif verb == "light":
            r, g, b = self.light()
            return f"rgb {r} {g} {b}"
        elif verb == "buzzer":
            return f"buzzer {int(self.buzzer())}"
        elif verb == "boot":
            boot_id, cause = self.boot()
            return f"boot {boot_id} {cause}"
        else:
            raise ValueError(f"unknown command {verb!r}")
        return "ok"


def start_simulated_board(
    link_path: Path | str, control_path: Path | str | None = None, *, fw: Build | None = None
) -> SimulatedPedalBoard:
    """Build the firmware for the unix port and boot it as a pedal board on ``link_path``."""
    return SimulatedPedalBoard(Path(link_path), Path(control_path) if control_path else None, fw).start()
