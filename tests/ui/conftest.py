"""UI tests run the real Kivy window on a private Xvfb display."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sonocart.launch.xvfb import Xvfb


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    with Xvfb(1280, 800) as xvfb:
        yield xvfb.display


@pytest.fixture
def ui_env(display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, KIVY_HOME=str(tmp_path_factory.mktemp("kivy-home")))
    env.pop("WAYLAND_DISPLAY", None)
    return env
