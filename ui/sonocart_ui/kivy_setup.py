"""Kivy configuration for the cart, applied before any other Kivy import (app and UI tests alike)."""

from __future__ import annotations

import os
from pathlib import Path


def configure_kivy(width: int = 1280, height: int = 800, fullscreen: bool = False) -> None:
    # Kivy reads its own argv and writes ~/.kivy unless told otherwise.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_CLIPBOARD", "dummy")  # no xclip/xsel on the cart: no noisy probing
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    os.environ.setdefault("KIVY_HOME", str(cache / "sonocart-kivy"))
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    # No MSAA: the image is drawn 1:1 and the UI is axis-aligned; multisampling only doubles fill cost,
    # which halves the frame rate on software GL (Xvfb).
    Config.set("graphics", "multisamples", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
