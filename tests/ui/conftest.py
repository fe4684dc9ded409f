"""UI tests run the real Kivy window on a private Xvfb display."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sonocart.launch.xvfb import Xvfb
from tests.conftest import ARTIFACTS
from tests.ui.screens import ScreensRuns


@pytest.fixture(scope="session")
def xvfb() -> Iterator[Xvfb]:
    with Xvfb(1280, 800) as server:
        yield server


@pytest.fixture(scope="session")
def display(xvfb: Xvfb) -> str:
    return xvfb.display


def _client_env(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ, **xvfb.client_env(), KIVY_HOME=str(tmp_path_factory.mktemp("kivy-home")))
    env.pop("WAYLAND_DISPLAY", None)
    return env


@pytest.fixture
def ui_env(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _client_env(xvfb, tmp_path_factory)


@pytest.fixture(scope="session")
def screens(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> ScreensRuns:
    """The shared screens run per size (tests/ui/screens.py), made when a test first asks for it."""
    return ScreensRuns(
        _client_env(xvfb, tmp_path_factory), tmp_path_factory.mktemp("screens"), ARTIFACTS / "ui"
    )
