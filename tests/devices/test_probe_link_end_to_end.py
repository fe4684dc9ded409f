"""Simulator process → real pseudo-terminal → pyserial → framer → codec → probe client."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sonocart.devices.probe import ProbeClient
from sonocart.devices.probe_geometry import to_geometry
from sonocart.imaging.liveness import assess
from tests.conftest import SimProcess, wait_until


def test_client_identifies_the_probe_and_receives_frames(probe_sim: Callable[..., SimProcess]) -> None:
    sim = probe_sim("--probe", "linear", "--lines", "64", "--samples", "256")
    client = ProbeClient(str(sim.link)).start()
    try:
        wait_until(lambda: client.latest.count >= 10, 15, "10 frames")
        status = client.status()
        assert status.connected and status.fault is None
        assert status.identity is not None and status.identity.serial_number == "SIM-0001"
        frame, arrived, _ = client.latest.get()
        assert frame is not None and arrived is not None
        assert frame.lines.shape == (64, 256) and frame.lines.dtype == np.uint16
        assert to_geometry(frame.geometry).kind == "linear"
        assert status.sequence_gaps == 0 and status.bad_frames == 0
        assert 15 < status.fps < 45
    finally:
        client.stop()


def test_set_depth_changes_the_geometry_of_later_frames(probe_sim: Callable[..., SimProcess]) -> None:
    sim = probe_sim("--lines", "32", "--samples", "128")
    client = ProbeClient(str(sim.link)).start()
    try:
        wait_until(lambda: client.latest.count >= 2, 15, "first frames")
        client.set_depth(55.0)

        def depth() -> float:
            frame = client.latest.get()[0]
            return frame.geometry.depth_end_mm if frame is not None else 0.0

        wait_until(lambda: abs(depth() - 55.0) < 1e-3, 5, "frames at the new depth")
    finally:
        client.stop()


def test_pulled_link_shows_no_signal_and_recovers_by_itself(probe_sim: Callable[..., SimProcess]) -> None:
    sim = probe_sim("--lines", "32", "--samples", "128")
    client = ProbeClient(str(sim.link)).start()

    def live() -> bool:
        _, arrived, _ = client.latest.get()
        return assess(client._clock(), arrived, client.status().fault).live

    try:
        wait_until(live, 15, "a live image")
        sim.kill()
        took = wait_until(lambda: not live(), 5, "NO SIGNAL after the simulator died")
        assert took < 1.0, f"NO SIGNAL took {took:.3f} s"
        assert client.status().fault is not None
        before = client.latest.count
        probe_sim("--lines", "32", "--samples", "128")  # the device comes back on the same name
        wait_until(lambda: live() and client.latest.count > before, 15, "live again after the probe returned")
        assert client._link.connects >= 2
    finally:
        client.stop()


def test_incompatible_probe_is_refused_with_a_clear_fault(
    probe_sim: Callable[..., SimProcess], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import sonocart.devices.probe as probe_module

    sim = probe_sim("--lines", "32", "--samples", "128")
    monkeypatch.setattr(probe_module.pc, "SCHEMA_HASH", 0x12345678)  # this host expects another layout
    client = ProbeClient(str(sim.link)).start()
    try:
        wait_until(lambda: "schema" in (client.status().fault or ""), 10, "the incompatibility fault")
        assert client.latest.count == 0
        assert "this host needs v1 schema 12345678" in (client.status().fault or "")
    finally:
        client.stop()
