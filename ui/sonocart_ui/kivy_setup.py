"""Kivy configuration for the cart, applied before any other Kivy import (app and UI tests alike)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sonocart.logs import setup_logging, under_journal


def _not_a_cutbuffer_probe(record: logging.LogRecord) -> bool:
    """Kivy reports the missing X cut buffer (xclip/xsel) as CRITICAL, with tracebacks; the cart has none."""
    return not record.getMessage().startswith("Cutbuffer: Unable to find")


def configure_kivy(width: int = 1280, height: int = 800, fullscreen: bool = False) -> None:
    # Kivy reads its own argv and writes ~/.kivy unless told otherwise.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_CLIPBOARD", "dummy")  # no xclip/xsel on the cart: no noisy probing
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    os.environ.setdefault("KIVY_HOME", str(cache / "sonocart-kivy"))
    if under_journal():
        setup_logging()  # one line per record to the journal, Kivy's included (KIVY_LOG_MODE=PYTHON)
    import kivy
    from kivy.config import Config

    # No cut-buffer probing: Kivy would spawn xclip and xsel on every start to find one.
    kivy.kivy_options["cutbuffer"] = ()
    if _not_a_cutbuffer_probe not in logging.getLogger("kivy").filters:
        logging.getLogger("kivy").addFilter(_not_a_cutbuffer_probe)

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    # No MSAA: the image is drawn 1:1 and the UI is axis-aligned; multisampling only doubles fill cost,
    # which halves the frame rate on software GL (Xvfb).
    Config.set("graphics", "multisamples", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
