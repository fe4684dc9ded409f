"""The start-up self-check a new release must pass before the cart keeps it (``sonocart selfcheck``).

Run by :mod:`sonocart.update.apply` with the new release's own interpreter, after the switch and before
the service restarts on it. It checks what a broken build or a bad wheel would break first: every module
of the core imports, the clinical catalogue loads, the journal writes and verifies a hash chain, the
signature library signs and verifies, the UI package and Kivy import (no window is opened), and the
cart's existing settings file is accepted by this version (an update must never refuse the cart's
settings). Each check prints one ``ok``/``FAIL`` line; the exit status is the number of failures (max 1).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sonocart


def _modules() -> str:
    names = [
        m.name
        for m in pkgutil.walk_packages(sonocart.__path__, "sonocart.")
        if not m.name.endswith("__main__")
    ]
    for name in names:
        importlib.import_module(name)
    return f"{len(names)} modules import"


def _catalogue() -> str:
    from sonocart.procedures.catalogue import load_catalogue

    cat = load_catalogue()
    return f"{len(cat.procedures)} procedures load"


def _journal() -> str:
    from sonocart.journal.store import Journal

    with tempfile.TemporaryDirectory(prefix="sonocart-selfcheck-") as tmp:
        journal = Journal(Path(tmp) / "journal.sqlite")
        try:
            journal.append("selfcheck", {"ok": True}, "selfcheck", time.time())
            journal.verify()
        finally:
            journal.close()
    return "journal appends and verifies"


def _signature() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    key.public_key().verify(key.sign(b"selfcheck"), b"selfcheck")
    return "Ed25519 signs and verifies"


def _ui() -> str:
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1")
    env.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="sonocart-selfcheck-kivy-"))
    imports = "kivy, kivy.lang, sonocart_ui.kivy_setup, sonocart_ui.viewmodels.start"
    code = f"import {imports}\nprint(kivy.__version__)"
    argv = [sys.executable, "-I", "-c", code]  # this release's own UI package, whatever PYTHONPATH says
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "exit status")
    return f"Kivy {proc.stdout.strip()} and the UI package import"


def _settings(state: Path | None) -> Callable[[], str]:
    def check() -> str:
        from sonocart.cart.settings import load_settings

        if state is None:
            return "settings: no state directory given"
        settings = load_settings(state / "settings.json", demo=False)
        return f"settings accepted ({len(settings.operators)} operators)"

    return check


def run_checks(state: Path | None, out: Callable[[str], None] = print) -> bool:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("modules", _modules),
        ("catalogue", _catalogue),
        ("journal", _journal),
        ("signature", _signature),
        ("ui", _ui),
        ("settings", _settings(state)),
    ]
    ok = True
    for name, check in checks:
        try:
            out(f"ok   {name}: {check()}")
        except Exception as exc:  # every failure is reported, then the update rolls back
            ok = False
            out(f"FAIL {name}: {type(exc).__name__}: {exc}")
    return ok
