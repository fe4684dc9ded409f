"""Thin wrapper around the ``mpremote`` tool: every board file operation goes through here."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sonocart.firmware_tool.paths import tool

Runner = Callable[..., subprocess.CompletedProcess[str]]

_HASH_SCRIPT = """\
# sonocart:hash
import hashlib, binascii, json
out = {}
for p in %r:
    try:
        h = hashlib.sha256()
        with open(p, 'rb') as f:
            while True:
                b = f.read(512)
                if not b:
                    break
                h.update(b)
        out[p] = binascii.hexlify(h.digest()).decode()
    except OSError:
        out[p] = None
print(json.dumps(out))
"""

_INFO_SCRIPT = """\
# sonocart:runtime
import sys, json
impl = sys.implementation
version = '.'.join(str(v) for v in impl.version[:3])
print(json.dumps({'mpy': impl._mpy, 'version': version, 'machine': impl._machine}))
"""


_LIST_SCRIPT = """\
# sonocart:list
import os, json
def walk(d, out):
    try:
        entries = list(os.ilistdir(d))
    except OSError:
        return out
    for e in entries:
        p = d.rstrip('/') + '/' + e[0]
        if e[1] == 0x4000:
            walk(p, out)
        else:
            out.append(p)
    return out
print(json.dumps(walk(%r, [])))
"""

_RMTREE_SCRIPT = """\
# sonocart:rmtree
import os
def rm(d):
    try:
        entries = list(os.ilistdir(d))
    except OSError:
        return
    for e in entries:
        p = d.rstrip('/') + '/' + e[0]
        if e[1] == 0x4000:
            rm(p)
        else:
            os.remove(p)
    os.rmdir(d)
rm(%r)
print('[]')
"""


class MpremoteError(RuntimeError):
    pass


class Mpremote:
    """Run mpremote against one serial port."""

    def __init__(self, port: str, *, run: Runner | None = None, timeout_s: float = 60.0) -> None:
        self.port = port
        self._run = run
        self._timeout = timeout_s

    def call(self, args: Sequence[str], cwd: Path | None = None) -> str:
        cmd = [tool("mpremote"), "connect", self.port, *args]
        try:
            run = self._run if self._run is not None else subprocess.run
            proc = run(cmd, capture_output=True, text=True, timeout=self._timeout, cwd=cwd, check=False)
        except subprocess.TimeoutExpired as exc:
            raise MpremoteError(f"mpremote timed out: {' '.join(args)[:80]}") from exc
        if proc.returncode != 0:
            err = (proc.stderr or "").strip().splitlines()
            said = (proc.stdout or "").strip()[-200:]
            raise MpremoteError(
                f"mpremote {' '.join(args)[:80]} failed: {err[-1] if err else 'exit ' + str(proc.returncode)}"
                + (f"; the board sent: {said}" if said else "")
            )
        return proc.stdout

    def exec_json(self, code: str) -> Any:
        out = self.call(["exec", code])
        lines = [line for line in out.splitlines() if line.strip()]
        if not lines:
            raise MpremoteError("mpremote exec printed nothing")
        try:
            return json.loads(lines[-1])
        except ValueError as exc:
            raise MpremoteError(f"unreadable answer from the board: {lines[-1][:80]}") from exc

    def answers(self, timeout_s: float) -> bool:
        """Whether the board's REPL answers within ``timeout_s`` (a running firmware does not)."""
        probe = Mpremote(self.port, run=self._run, timeout_s=timeout_s)
        try:
            probe.runtime()
        except MpremoteError:
            return False
        return True

    def runtime(self) -> dict[str, Any]:
        """The board's MicroPython: version, .mpy version word, machine."""
        info: dict[str, Any] = self.exec_json(_INFO_SCRIPT)
        return info

    def file_hashes(self, paths: Sequence[str]) -> dict[str, str | None]:
        """SHA-256 of each board file (``None`` when missing), computed on the board."""
        got: dict[str, str | None] = self.exec_json(_HASH_SCRIPT % (list(paths),))
        return got

    def list_files(self, root: str) -> list[str]:
        """Every file under ``root`` on the board (absolute paths)."""
        got: list[str] = self.exec_json(_LIST_SCRIPT % (root,))
        return got

    def remove_tree(self, root: str) -> None:
        """Delete ``root`` and everything under it; nothing happens when it is missing."""
        self.exec_json(_RMTREE_SCRIPT % (root,))

    def copy_tree(self, local_dir: Path, entries: Sequence[str]) -> None:
        """Copy ``entries`` (files or directories under ``local_dir``) to the board's root."""
        self.call(["fs", "cp", "-r", *entries, ":"], cwd=local_dir)

    def reset(self) -> None:
        self.call(["reset"])
