"""A loaded host, reproduced: the emulator process run only a fraction of each 100 ms.

Diagnostics and tests of the harness under load set ``SONOCART_EMULATOR_DUTY`` (e.g. 0.25) instead of
loading the machine's cores, which other jobs share. Unset or 1, the emulator runs freely."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading

#: The fraction of every 100 ms the emulator may run (SIGSTOP/SIGCONT); unset or 1: it runs freely.
DUTY_ENV = "SONOCART_EMULATOR_DUTY"


def _throttle(proc: subprocess.Popen[bytes], duty: float, stop: threading.Event) -> None:
    """Let ``proc`` run ``duty`` of each 100 ms until ``stop``; leave it running."""
    try:
        while not stop.wait(0.1 * duty):
            os.kill(proc.pid, signal.SIGSTOP)
            stop.wait(0.1 * (1 - duty))
            os.kill(proc.pid, signal.SIGCONT)
    except ProcessLookupError:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGCONT)


def start_throttle(proc: subprocess.Popen[bytes], stop: threading.Event) -> threading.Thread | None:
    """A thread throttling ``proc`` to ``$SONOCART_EMULATOR_DUTY`` until ``stop`` is set; None when unset."""
    duty = float(os.environ.get(DUTY_ENV, "1"))
    if not 0 < duty < 1:
        return None
    thread = threading.Thread(target=_throttle, args=(proc, duty, stop), name="pico-throttle", daemon=True)
    thread.start()
    return thread
