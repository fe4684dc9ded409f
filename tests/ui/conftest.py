"""UI tests run the real Kivy window on a private Xvfb display."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sonocart.launch.xvfb import Xvfb


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Xvfb]:
    with Xvfb(1280, 800) as server:
        yield server


@pytest.fixture(scope="session")
def display(xvfb: Xvfb) -> str:
    return xvfb.display


@pytest.fixture
def ui_env(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ, **xvfb.client_env(), KIVY_HOME=str(tmp_path_factory.mktemp("kivy-home")))
    env.pop("WAYLAND_DISPLAY", None)
    return env
