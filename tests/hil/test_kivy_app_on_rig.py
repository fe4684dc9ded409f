"""A rig case on the real Kivy app under Xvfb: a pedal tap on the rig freezes the image on screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sonocart.launch.xvfb import Xvfb
from tests.conftest import ARTIFACTS

from .conftest import Recorder
from .helpers import board_now, first_change, on_board_clock, tap, wait_for
from .interface import Rig

SCENARIO = Path(__file__).with_name("kivy_pedal_scenario.py")


@pytest.mark.ui
def test_a_rig_pedal_tap_freezes_the_image_in_the_real_kivy_app_and_the_screen_says_so(
    rig: Rig, figures: Recorder, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    ready, report = tmp_path / "ready", tmp_path / "report.json"
    art = ARTIFACTS / "hil" / request.node.name.replace("[", "-").rstrip("]")
    with Xvfb(1280, 800) as xvfb:
        env = dict(os.environ, **xvfb.client_env(), KIVY_HOME=str(tmp_path / "kivy"))
        cmd = [sys.executable, str(SCENARIO), "--probe", rig.probe_port, "--pedal", rig.pedal_port]
        cmd += ["--records", str(tmp_path / "records"), "--artifacts", str(art)]
        cmd += ["--report", str(report), "--ready-file", str(ready)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: ready.exists() or proc.poll() is not None, 90.0, "the app on the rig")
            assert proc.poll() is None, proc.stderr.read()[-3000:] if proc.stderr else ""
            before = board_now(rig)  # the light's samples are on the board's clock
            t0 = tap(rig, "A")
            light = first_change(rig, before, "green", timeout=5.0)  # frozen: not imaging any more
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    r = json.loads(report.read_text())
    assert "error" not in r and r.get("completed"), (r.get("error"), r.get("traceback"), err[-2000:])
    assert (r["action"], r["outcome"]) == ("freeze", "done")
    assert "FROZEN (pedal A tap)" in r["toast"] and r["frozen_badge"]
    assert r["toast_at"] is not None, "the toast never showed the pedal's action"
    toast = on_board_clock(rig, r["toast_at"])  # the app's wall time, on the clock t0 is read on
    figures("rig pedal tap to Kivy screen saying FROZEN", (toast - t0) * 1000, "ms")
    figures("rig pedal tap to light (Kivy app)", (light.t - t0) * 1000, "ms")
