"""On simulated devices the probe's scene follows the procedure opened on the cart (``make run``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sonocart.sim.pedal_control import PedalSimClient
from tools.rig.headless_client import HeadlessCart


@pytest.mark.slow
def test_opening_a_knee_injection_switches_the_simulated_probe_to_the_knee_scene(tmp_path: Path) -> None:
    run = tmp_path / "run"
    with HeadlessCart(run, None, None) as cart:
        control = PedalSimClient(run / "probe.ctl")  # the simulator's control socket, started by the launcher
        assert control.command("status") == "ok scene femoral"  # the default scene before any procedure
        patient = {"name": "DOE^J", "id": "1"}
        cart.command("open", procedure="knee_joint_injection", patient=patient, operator="x")
        deadline = time.monotonic() + 10
        while control.command("status") != "ok scene knee" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert control.command("status") == "ok scene knee"
        cart.command("close")
        cart.command("open", procedure="caudal_epidural", patient=patient, operator="x")
        deadline = time.monotonic() + 10
        while control.command("status") != "ok scene caudal" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert control.command("status") == "ok scene caudal"
        control.close()
    assert not (run / "probe.ctl").exists(), "the simulator's control socket is removed with it"
