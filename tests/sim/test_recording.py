"""Raw link recordings round-trip every frame; ``sonocart sim --replay`` serves them to a real client."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sonocart.devices.probe import ProbeClient
from sonocart.devices.probe_geometry import to_geometry
from sonocart.sim.probe_device import SimulatedProbeDevice
from sonocart.sim.probe_sim import PROBES
from sonocart.sim.recording import (
    TO_HOST,
    TO_PROBE,
    LinkRecorder,
    RecordingError,
    ReplaySource,
    read_records,
    recorded_frames,
)
from tests.conftest import SimProcess, wait_until


def test_recorded_frames_decode_to_the_lines_and_geometry_sent(tmp_path: Path) -> None:
    path = tmp_path / "link.rec"
    rec = LinkRecorder(path)
    device = SimulatedProbeDevice(PROBES["phased"], lambda b: None, lambda: 0.0)
    sent = [np.random.default_rng(k).integers(0, 65535, (16, 64), dtype=np.uint16) for k in range(5)]
    rec.write(TO_PROBE, b"\x00host bytes\x00", 0.0)
    for k, lines in enumerate(sent):
        rec.write(TO_HOST, device.encode_frame(lines, k), 0.1 * k)
        device.frames_sent += 1
    rec.close()
    frames = recorded_frames(path)
    assert len(frames) == 5
    for k, (f, lines) in enumerate(zip(frames, sent, strict=True)):
        assert (f.lines == lines).all() and f.geometry == PROBES["phased"]
        assert f.t_s == pytest.approx(0.1 * k, abs=1e-6)
    directions = [d for _, d, _ in read_records(path)]
    assert directions.count(TO_PROBE) == 1
    source = ReplaySource(frames)
    assert source.at(0.25).t_s == pytest.approx(0.2, abs=1e-6)
    assert source.at(0.5 + 0.05).t_s == pytest.approx(0.0, abs=1e-6)  # loops after the last frame


def test_a_damaged_recording_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rec"
    bad.write_bytes(b"not a recording")
    with pytest.raises(RecordingError):
        recorded_frames(bad)


def test_sim_records_the_link_and_replays_it_to_a_client(
    tmp_path: Path, probe_sim: Callable[..., SimProcess]
) -> None:
    rec = tmp_path / "session.rec"
    sim = probe_sim("--probe", "linear", "--lines", "32", "--samples", "128", "--record", str(rec))
    client = ProbeClient(str(sim.link)).start()
    try:
        wait_until(lambda: client.latest.count >= 5, 15, "frames while recording")
    finally:
        client.stop()
    sim.stop()
    time.sleep(0.1)
    recorded = recorded_frames(rec)
    assert len(recorded) >= 5
    replay = probe_sim("--replay", str(rec))
    client = ProbeClient(str(replay.link)).start()
    try:
        wait_until(lambda: client.latest.count >= 3, 15, "replayed frames")
        frame = client.latest.get()[0]
        assert frame is not None
        assert to_geometry(frame.geometry) == PROBES["linear"]
        assert any((frame.lines == r.lines).all() for r in recorded)
    finally:
        client.stop()
