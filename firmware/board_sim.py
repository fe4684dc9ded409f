"""Simulated board for the MicroPython unix port: the firmware runs unchanged against it.

The pedal link is this process's stdin/stdout, as on the Pico (USB CDC is stdio);
the launcher (sonocart.sim.pedal_board) connects them to the master side of a pty.
A control pipe (fd in ``SONOCART_SIM_CTRL_FD``) takes lines that move the simulated
contacts; every change of an output pin is written as a line to the pin pipe (fd in
``SONOCART_SIM_PINS_FD``) stamped with this board's own millisecond tick, so light
and buzzer timing can be measured exactly. Control lines::

    pedal A 1           contact of pedal A closed (1) or open (0), clean edge
    bounce B 1          pedal B to 1 through 6 ms of contact bounce
    present 0           pedal connector out (0) or in (1)
    stall               hang the firmware's pedals task (the health check then stops feeding
                        the watchdog, as on the board)

Pin lines: ``<ms> boot <boot_id> <reset_cause>``, ``<ms> rgb <r> <g> <b>``,
``<ms> buzzer <0|1>``, ``<ms> watchdog``, ``<ms> maintenance``.
"""

import os
import select
import sys
import time

from debounce import ticks_diff
from mpcompat import const
from sonocart.wire import pedal_codec as pc

_READ_MAX = const(256)
_BOUNCE = ((0, 1), (1, 0), (2, 1), (3, 0), (5, 1), (6, 0))  # (ms, 1 = target level) before settling
_HELD_MS = 30  # > the 20 ms debounce: a commanded level is read for this long before the next one


def _ticks() -> int:
    """time.ticks_ms() as the plain int it is on the board (the stubs call it _TicksMs)."""
    return time.ticks_ms()  # type: ignore[return-value]


class SimBoard:
    def __init__(self) -> None:
        self._in = sys.stdin.buffer  # type: ignore[attr-defined]
        self._out = sys.stdout.buffer  # type: ignore[attr-defined]
        self._poll = select.poll()
        self._poll.register(self._in, select.POLLIN)
        ctrl_fd = os.getenv("SONOCART_SIM_CTRL_FD")
        pins_fd = os.getenv("SONOCART_SIM_PINS_FD")
        self._ctrl = open("/dev/fd/" + ctrl_fd, "rb") if ctrl_fd else None  # noqa: SIM115 (lives as long as the board)
        self._pins = open("/dev/fd/" + pins_fd, "wb") if pins_fd else None  # noqa: SIM115
        self._ctrl_poll = select.poll()
        if self._ctrl is not None:
            self._ctrl_poll.register(self._ctrl, select.POLLIN)
        self._ctrl_buf = b""
        self._cause = int(os.getenv("SONOCART_SIM_RESET_CAUSE") or pc.RESET_POWER_ON)
        self._boot_id = int.from_bytes(os.urandom(4), "little")
        self._board_id = os.getenv("SONOCART_SIM_BOARD_ID") or "sim-0001"
        self.contacts = [False, False]
        self.present = True
        self.rgb = (0, 0, 0)
        self.buzzer = False
        self._script: list[tuple[int, int, bool]] = []  # (due ms, pedal, level)
        # A real contact stays at a level for as long as the foot holds it, however busy the CPU is;
        # a starved simulator can read a press and its release in one go. So a commanded level change
        # waits until the firmware has read the current level over at least _HELD_MS of board time.
        self._queued: list[list[bool]] = [[], []]  # per pedal: levels commanded, not applied yet
        self._first_read = [-1, -1]  # board ms the current level was first read (-1: not read yet)
        self._last_read = [0, 0]
        self._wdt_ms = 0
        self._wdt_fed = 0
        self._app: object = None  # the App, once it asks for the extra tasks
        self.pin("boot %d %d" % (self._boot_id, self._cause))

    # -- identity --------------------------------------------------------------------------------
    def ticks_ms(self) -> int:
        return _ticks()

    def reset_cause(self) -> int:
        return self._cause

    def boot_id(self) -> int:
        return self._boot_id

    def board_id(self) -> str:
        return self._board_id

    # -- pins ------------------------------------------------------------------------------------
    def pin(self, text: str) -> None:
        if self._pins is not None:
            self._pins.write(("%d %s\n" % (_ticks(), text)).encode())

    def pedal_raw(self, i: int) -> bool:
        now = _ticks()
        if self._first_read[i] < 0:
            self._first_read[i] = now
        self._last_read[i] = now
        return self.contacts[i] and self.present

    def _set_contact(self, i: int, level: bool) -> None:
        if self.contacts[i] != level:
            self.contacts[i] = level
            self._first_read[i] = -1

    def _apply_queued(self) -> None:
        """Apply each pedal's next commanded level once the firmware has seen the current one held."""
        for i in (0, 1):
            q = self._queued[i]
            first = self._first_read[i]
            if q and first >= 0 and ticks_diff(self._last_read[i], first) >= _HELD_MS:
                self._set_contact(i, q.pop(0))

    def pedal_present_raw(self) -> bool:
        return self.present

    def set_rgb(self, r: int, g: int, b: int) -> None:
        self.rgb = (r, g, b)
        self.pin("rgb %d %d %d" % (r, g, b))

    def set_buzzer(self, on: bool) -> None:
        self.buzzer = on
        self.pin("buzzer %d" % (1 if on else 0))

    # -- link ------------------------------------------------------------------------------------
    def link_read(self) -> bytes:
        out = bytearray()
        while len(out) < _READ_MAX:
            ready = self._poll.poll(0)
            if not ready or not ready[0][1] & select.POLLIN:
                break
            b = self._in.read(1)
            if not b:
                break
            out.extend(b)
        return bytes(out)

    def link_write(self, data: bytes) -> None:
        self._out.write(data)

    # -- watchdog, maintenance -------------------------------------------------------------------
    def wdt_start(self, timeout_ms: int) -> None:
        self._wdt_ms = timeout_ms
        self._wdt_fed = _ticks()

    def wdt_feed(self) -> None:
        self._wdt_fed = _ticks()

    def enter_maintenance(self) -> None:
        self.pin("maintenance")
        sys.exit(0)

    # -- control channel -------------------------------------------------------------------------
    def control(self, line: str, now: int) -> None:
        parts = line.split()
        if not parts:
            return
        if parts[0] == "pedal" and len(parts) == 3:
            i = pc.PEDAL_NAMES.index(parts[1])
            self._queued[i].append(parts[2] == "1")
            self._apply_queued()
        elif parts[0] == "bounce" and len(parts) == 3:
            i = pc.PEDAL_NAMES.index(parts[1])
            level = parts[2] == "1"
            for t, same in _BOUNCE:
                self._script.append((now + t, i, level if same else not level))
            self._script.append((now + 8, i, level))
        elif parts[0] == "present" and len(parts) == 2:
            self.present = parts[1] == "1"
        elif parts[0] == "stall" and self._app is not None:
            self._hang_task("pedals")

    def _hang_task(self, name: str) -> None:
        """Replace a running task by one stuck in an await that never returns, as a deadlock would."""
        import asyncio

        tasks = self._app.tasks  # type: ignore[attr-defined]
        tasks[name].cancel()
        tasks[name] = asyncio.create_task(asyncio.Event().wait())

    async def control_task(self) -> None:
        import asyncio

        while True:
            now = _ticks()
            if self._ctrl is not None and self._ctrl_poll.poll(0):
                b = self._ctrl.read(1)
                if not b:  # the launcher went away: so does the board
                    sys.exit(0)
                if b == b"\n":
                    self.control(self._ctrl_buf.decode(), now)
                    self._ctrl_buf = b""
                else:
                    self._ctrl_buf += b
                continue
            while self._script and ticks_diff(now, self._script[0][0]) >= 0:
                _due, i, level = self._script.pop(0)
                self._set_contact(i, level)
            self._apply_queued()
            if self._wdt_ms and ticks_diff(now, self._wdt_fed) > self._wdt_ms:
                self.pin("watchdog")
                sys.exit(3)  # the launcher restarts the board with reset cause "watchdog"
            await asyncio.sleep_ms(1)

    def extra_tasks(self, app: object) -> list[tuple[str, object]]:
        self._app = app
        return [("sim_control", self.control_task())]


def main() -> None:
    board = SimBoard()
    try:
        import app

        app.run(board)
    except SystemExit:
        raise
    except BaseException as exc:  # stdout is the link: report on stderr, then die like a crashed board
        sys.print_exception(exc, sys.stderr)  # type: ignore[attr-defined,arg-type]
        sys.exit(1)
