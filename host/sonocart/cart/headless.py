"""The cart with no window (``sonocart run --headless``): the same core, driven over stdin/stdout.

Protocol (docs/headless.md): one JSON object per line each way. Commands in on stdin
(``{"cmd": "open", ...}``); out on stdout every cart event (``{"event": "pedal", ...}``), one reply per
command (``{"event": "reply", "cmd": ..., "ok": ..., ...}``) and, every ``--status-every`` seconds, a
``status`` line with device counters and memory. A rig, the soak and scripted runs drive the product
this way; nothing here decides anything the touchscreen would not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import resource
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sonocart.cart.cart import Cart
from sonocart.cart.events import CartEvent
from sonocart.cart.startup import add_cart_arguments, cart_from_arguments
from sonocart.journal.store import JournalError
from sonocart.procedures.checks import InputRejected
from sonocart.scripted.script import Capture, Wait, load_script, parse_entry

PUMP_S = 0.01
Handler = Callable[[dict[str, Any]], dict[str, Any]]


class CommandError(ValueError):
    """A command that cannot be carried out as given (the reply says why)."""


def rss_kib() -> int:
    """Resident set size now (KiB), from /proc: the soak's memory-growth figure."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class HeadlessService:
    """Pumps ``cart`` on this thread, answers commands from ``commands``, writes lines to ``out``."""

    def __init__(self, cart: Cart, out: TextIO, status_every_s: float = 1.0) -> None:
        self.cart = cart
        self.out = out
        self.status_every_s = status_every_s
        self.commands: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._out_lock = threading.Lock()
        self.handlers: dict[str, Handler] = {
            "open": self._open,
            "open_script": self._open_script,
            "resume": self._resume,
            "input": self._input,
            "state": lambda _c: self.state(),
            "status": lambda _c: self.status(),
            "freeze": lambda _c: {"frozen": self.cart.freeze()},
            "capture_still": lambda c: {"captured": self.cart.capture_still(str(c.get("via", "rig")))},
            "lock": lambda _c: {"locked": self.cart.lock_now()},
            "unlock": lambda c: {"unlocked": self.cart.unlock(str(c["operator"]), str(c["pin"]))},
            "close": lambda _c: self._close(),
            "quit": lambda _c: self._quit(),
        }
        cart.subscribe(self._on_event)

    # -- output -----------------------------------------------------------------------------------
    def write(self, obj: dict[str, Any]) -> None:
        line = json.dumps(obj, default=str)
        with self._out_lock:
            try:
                self.out.write(line + "\n")
                self.out.flush()
            except (BrokenPipeError, ValueError):  # the observer went away: the cart goes on
                pass

    def _on_event(self, event: CartEvent) -> None:
        self.write(event.as_dict())

    # -- the loop ---------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        clock = self.cart.clock
        self.write({"event": "ready", "pid": os.getpid(), **self.state()})
        next_status = clock.monotonic() + self.status_every_s
        while not self._stop.is_set():
            self.cart.wait_and_pump(PUMP_S)
            while True:
                try:
                    line = self.commands.get_nowait()
                except queue.Empty:
                    break
                self.handle_line(line)
            if self.status_every_s > 0 and clock.monotonic() >= next_status:
                next_status += self.status_every_s
                self.write({"event": "status", **self.status()})

    def handle_line(self, line: str) -> None:
        """Carry out one command line; every line gets one reply, a refusal says why (never a traceback)."""
        if not line.strip():
            return
        name = "?"
        try:
            cmd = json.loads(line)
            if not isinstance(cmd, dict) or not isinstance(cmd.get("cmd"), str):
                raise CommandError('a command is a JSON object with a "cmd" string')
            name = cmd["cmd"]
            handler = self.handlers.get(name)
            if handler is None:
                raise CommandError(f"unknown command {name!r}; known: {', '.join(sorted(self.handlers))}")
            reply = {"event": "reply", "cmd": name, "ok": True, **handler(cmd)}
        except KeyError as exc:
            reply = {"event": "reply", "cmd": name, "ok": False, "error": f"missing field {exc}"}
        except (ValueError, TypeError, OSError, InputRejected, JournalError) as exc:
            # ValueError covers bad JSON, CommandError and ScriptError
            reply = {"event": "reply", "cmd": name, "ok": False, "error": str(exc) or type(exc).__name__}
        self.write(reply)

    # -- commands ---------------------------------------------------------------------------------
    def _open(self, c: dict[str, Any]) -> dict[str, Any]:
        weight = c.get("weight_kg")
        rec = self.cart.open_procedure(
            str(c["procedure"]),
            dict(c.get("patient", {})),
            None if weight is None else float(weight),
            str(c["operator"]),
        )
        return {"record": str(rec.path)}

    def _open_script(self, c: dict[str, Any]) -> dict[str, Any]:
        """Open a script's procedure and play its first ``inputs`` inputs (stops at a wait or capture)."""
        script = load_script(Path(str(c["script"])))
        limit = int(c.get("inputs", len(script.steps)))
        rec = self.cart.open_procedure(script.procedure, script.patient, None, script.operator)
        played = 0
        for step in script.steps:
            if isinstance(step, Wait | Capture) or played >= limit:
                break
            self.cart.submit_input(step)
            played += 1
        return {"record": str(rec.path), "played": played}

    def _resume(self, c: dict[str, Any]) -> dict[str, Any]:
        rec = self.cart.resume(Path(str(c["record"])), str(c.get("operator", "")))
        return {"record": str(rec.path)}

    def _input(self, c: dict[str, Any]) -> dict[str, Any]:
        """One input written as a script entry (``{"type": "answer", "step": ..., "value": ...}``)."""
        raw = c.get("input")
        if not isinstance(raw, dict):
            raise CommandError('"input" must be an object like a script [[input]] entry')
        entry = parse_entry(0, raw, self.cart.session.operator)
        if isinstance(entry, Wait | Capture):
            raise CommandError("wait and capture are script-only entries")
        events = self.cart.submit_input(entry)
        return {"seqs": [e.seq for e in events]}

    def _close(self) -> dict[str, Any]:
        self.cart.close_record()
        return {}

    def _quit(self) -> dict[str, Any]:
        self.stop()
        return {}

    # -- observation ------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        s = self.cart.session
        step = s.current_step()
        rec = s.record
        return {
            "record": str(rec.path) if rec else "",
            "phase": s.phase() or "",
            "step": step.id if step else "",
            "held": s.held_by(),
            "operator": s.operator,
            "prompts": [{"id": p.id, "priority": p.priority.name, "text": p.text} for p in s.prompts()],
            "light": self.cart.light,
            "live": self.cart.liveness.live,
            "frozen": self.cart.live.frozen,
            "locked": self.cart.lock.locked,
        }

    def status(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": round(self.cart.clock.monotonic(), 3), "rss_kib": rss_kib()}
        state = self.state()
        out["step"], out["held"] = state["step"], state["held"]
        pedal = self.cart.pedal
        if pedal is not None:
            ps = pedal.status()
            out["pedal"] = {
                "connected": ps.connected,
                "fault": ps.fault,
                "delivered": ps.events_delivered,
                "duplicates_dropped": ps.duplicates_dropped,
                "bad_frames": ps.bad_frames,
                "board_resets": ps.board_resets,
                "lost": ps.lost_events,
                "reset_cause": ps.identity.reset_cause if ps.identity else "",
                "firmware": ps.identity.firmware_version if ps.identity else "",
            }
        pr = self.cart.probe.status()
        out["probe"] = {
            "connected": pr.connected,
            "fault": pr.fault,
            "frames": pr.frames,
            "gaps": pr.sequence_gaps,
            "bad": pr.bad_frames,
            "device_dropped": pr.device_dropped,
            "fps": round(pr.fps, 1),
        }
        return out


def _read_stdin(service: HeadlessService, stdin: TextIO) -> None:
    for line in stdin:
        service.commands.put(line)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sonocart.cart.headless", description=__doc__)
    add_cart_arguments(p)
    p.add_argument("--status-every", type=float, default=1.0, metavar="S")
    args = p.parse_args(argv)
    cart = cart_from_arguments(args)
    if cart is None:
        return 2
    service = HeadlessService(cart, sys.stdout, args.status_every)
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    threading.Thread(target=_read_stdin, args=(service, sys.stdin), daemon=True, name="stdin").start()
    cart.start()
    try:
        if args.resume is not None:
            cart.resume(args.resume)
        with contextlib.suppress(KeyboardInterrupt):
            service.run()
    finally:
        cart.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
