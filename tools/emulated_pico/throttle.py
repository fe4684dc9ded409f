"""A loaded host, reproduced: the emulator process run only a fraction of each 100 ms.

Diagnostics and tests of the harness under load set ``SONOCART_EMULATOR_DUTY`` (e.g. 0.25) instead of
loading the machine's cores, which other jobs share. Unset or 1, the emulator runs freely.

The SIGSTOP/SIGCONT loop runs in a process of its own (``python throttle.py PID DUTY``) whose stdin
is a pipe from the process that started the emulator. When that pipe closes
(:meth:`Throttle.stop`, or that process dying, even by SIGKILL), it lets the emulator run again
and exits. The emulator itself exits when its own stdin closes, and a stopped process cannot see
that: a throttle in a thread of the test process died with it and left the emulator stopped for good.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys

#: The fraction of every 100 ms the emulator may run (SIGSTOP/SIGCONT); unset or 1: it runs freely.
DUTY_ENV = "SONOCART_EMULATOR_DUTY"
PERIOD_S = 0.1


class Throttle:
    """The throttling process of one emulator; :meth:`stop` lets it run freely again."""

    def __init__(self, pid: int, duty: float) -> None:
        self.pid = pid
        self._proc = subprocess.Popen(
            [sys.executable, __file__, str(pid), str(duty)],  # this file alone: the standard library only
            stdin=subprocess.PIPE,
        )

    @property
    def throttler_pid(self) -> int:
        return self._proc.pid

    def stop(self) -> None:
        """Close the pipe; return once the emulator was sent SIGCONT and the throttler is gone."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGCONT)


def start_throttle(proc: subprocess.Popen[bytes]) -> Throttle | None:
    """Throttle ``proc`` to ``$SONOCART_EMULATOR_DUTY`` until :meth:`Throttle.stop`; None when unset."""
    duty = float(os.environ.get(DUTY_ENV, "1"))
    if not 0 < duty < 1:
        return None
    return Throttle(proc.pid, duty)


def throttle(pid: int, duty: float, parent: int) -> None:
    """Let process ``pid`` run ``duty`` of each period until ``parent`` (a pipe) is readable (it
    closed: nobody writes to it), then leave it running."""
    try:
        while not select.select([parent], [], [], PERIOD_S * duty)[0]:
            os.kill(pid, signal.SIGSTOP)
            done = select.select([parent], [], [], PERIOD_S * (1 - duty))[0]
            os.kill(pid, signal.SIGCONT)
            if done:
                return
    except ProcessLookupError:
        return
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


if __name__ == "__main__":
    throttle(int(sys.argv[1]), float(sys.argv[2]), sys.stdin.fileno())
