"""The real back end: a second MicroPython board (firmware/rig) wired to the pedal board and probe link.

The rig board speaks a line protocol on its USB serial port (docs/hil.md, "Rig board protocol"):
commands are answered ``ok <us>`` with the rig's microsecond clock at the moment the output
switched, and light/buzzer changes arrive unasked as ``L <us> <r> <g> <b>`` and ``Z <us> <0|1>``.
The rig clock is mapped onto host monotonic time from ``time`` round trips (the shortest of
several, offset at its midpoint), so the figures measured here mean what the simulator's do.
"""

from __future__ import annotations

import queue
import threading
import time

import serial

from .interface import Sample, colour_name

SYNC_ROUNDS = 9
REPLY_TIMEOUT_S = 2.0


class RigBoardError(RuntimeError):
    """The rig board refused a command or did not answer."""


class RealRig:
    name = "real"

    def __init__(self, rig_port: str, pedal_port: str, probe_port: str) -> None:
        self.rig_port = rig_port
        self.pedal_port = pedal_port
        self.probe_port = probe_port
        self._serial = serial.Serial(rig_port, 115200, timeout=0.05)
        self._replies: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()  # one command in flight
        self._log_lock = threading.Lock()
        self._light: list[Sample] = []
        self._buzzer: list[Sample] = []
        self._offset = 0.0  # host s = rig us / 1e6 + offset
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="rig-reader", daemon=True)

    def start(self) -> RealRig:
        self._reader.start()
        hello = self.command("hello")
        if not hello.startswith("ok sonocart-rig"):
            raise RigBoardError(f"{self.rig_port} is not a sonocart rig board: {hello!r}")
        self.sync_clock()
        self.command("watch 1")
        return self

    def close(self) -> None:
        try:
            self.command("safe")  # every output to its resting state: pedals open, links connected
        finally:
            self._closing.set()
            self._reader.join(1.0)
            self._serial.close()

    # -- transport -------------------------------------------------------------------------------
    def _read_loop(self) -> None:
        buf = b""
        while not self._closing.is_set():
            try:
                buf += self._serial.read(max(1, self._serial.in_waiting))  # return at the first byte
            except serial.SerialException:
                return
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                self._line(raw.decode(errors="replace").strip())

    def _line(self, line: str) -> None:
        words = line.split()
        if not words:
            return
        if words[0] in ("L", "Z") and len(words) >= 3:
            t = int(words[1]) / 1e6 + self._offset
            with self._log_lock:
                if words[0] == "L" and len(words) == 5:
                    self._light.append(Sample(t, colour_name((int(words[2]), int(words[3]), int(words[4])))))
                elif words[0] == "Z":
                    self._buzzer.append(Sample(t, "on" if words[2] == "1" else "off"))
            return
        self._replies.put(line)

    def command(self, line: str) -> str:
        with self._lock:
            self._serial.write(line.encode() + b"\n")
            try:
                reply = self._replies.get(timeout=REPLY_TIMEOUT_S)
            except queue.Empty as exc:
                raise RigBoardError(f"rig board did not answer {line!r}") from exc
        if reply.startswith("error"):
            raise RigBoardError(f"rig board: {line!r} -> {reply}")
        return reply

    def _acted(self, line: str) -> float:
        """Send a command whose reply carries the rig's clock at actuation; that time in host s."""
        return int(self.command(line).split()[1]) / 1e6 + self._offset

    def sync_clock(self) -> float:
        """Map the rig clock onto host monotonic time; return the best round trip (s)."""
        best = (float("inf"), 0.0)
        for _ in range(SYNC_ROUNDS):
            t0 = time.monotonic()
            rig_us = int(self.command("time").split()[1])
            t1 = time.monotonic()
            if t1 - t0 < best[0]:
                best = (t1 - t0, (t0 + t1) / 2 - rig_us / 1e6)
        self._offset = best[1]
        return best[0]

    # -- Rig -------------------------------------------------------------------------------------
    def press(self, pedal: str) -> float:
        return self._acted(f"press {pedal}")

    def release(self, pedal: str) -> float:
        return self._acted(f"release {pedal}")

    def pedal_unplug(self) -> None:
        self.command("unplug")

    def pedal_replug(self) -> None:
        self.command("replug")

    def board_reset(self) -> float:
        return self._acted("reset")

    def board_power(self, on: bool) -> None:
        self.command("power on" if on else "power off")

    def probe_unplug(self) -> float:
        return self._acted("probe 0")

    def probe_replug(self) -> float:
        return self._acted("probe 1")

    def light(self) -> str:
        words = self.command("light").split()
        return colour_name((int(words[1]), int(words[2]), int(words[3])))

    def _since(self, log: list[Sample], since: float) -> list[Sample]:
        out: list[Sample] = []
        with self._log_lock:
            for s in log:
                if s.t >= since and (not out or out[-1].value != s.value):
                    out.append(s)
        return out

    def light_log(self, since: float) -> list[Sample]:
        return self._since(self._light, since)

    def buzzer_log(self, since: float) -> list[Sample]:
        return self._since(self._buzzer, since)
