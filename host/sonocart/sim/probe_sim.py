"""Run the simulated probe on a pseudo-terminal, as its own process.

The slave side of a fresh pty is exposed through a symlink (``--link``), the
same way udev exposes ``/dev/sonocart-probe``; the host opens it with pyserial.
Writes are non-blocking: when the host does not keep up, whole frames are
dropped and counted (reported in every frame header), never half-written.
"""

from __future__ import annotations

import os
import select
import signal
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sonocart.imaging.geometry import Geometry
from sonocart.sim.probe_device import DEPTH_RANGE_MM, SimulatedProbeDevice
from sonocart.sim.pty import PtyEndpoint
from sonocart.sim.recording import TO_HOST, TO_PROBE, LinkRecorder, ReplaySource, recorded_frames
from sonocart.sim.tissue import TissueScene, default_needle

PROBES = {
    "linear": Geometry("linear", 0.0, 40.0, width_mm=38.0),
    "convex": Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0),
    "phased": Geometry("phased", 0.0, 100.0, fov_deg=90.0),
}


@dataclass(frozen=True)
class SimOptions:
    """What ``sonocart sim`` serves: a live scene or a replayed recording."""

    probe: str = "convex"
    fps: float = 30.0
    n_lines: int = 128
    n_samples: int = 512
    seed: int = 1
    depth_mm: float | None = None  # None: the probe's default depth
    sample_format: str = "u16"  # u8 | u16 | iq
    needle_angle_deg: float | None = 30.0  # None: no needle
    record: Path | None = None
    replay: Path | None = None


def probe_geometry(options: SimOptions) -> Geometry:
    geometry = PROBES[options.probe]
    if options.depth_mm is not None:
        geometry = replace(geometry, depth_end_mm=options.depth_mm)
    return geometry


class _SceneSource:
    """Live frames from the tissue scene; rebuilt when the host changes the depth."""

    def __init__(self, options: SimOptions, geometry: Geometry) -> None:
        self.options = options
        self._build(geometry)

    def _build(self, geometry: Geometry) -> None:
        o = self.options
        needle = None if o.needle_angle_deg is None else default_needle(geometry, o.needle_angle_deg)
        self.scene = TissueScene(
            geometry, o.n_lines, o.n_samples, o.seed, needle=needle, with_needle=needle is not None
        )

    def frame(self, t_s: float, index: int, geometry: Geometry) -> tuple[np.ndarray, Geometry]:
        if geometry != self.scene.geometry:
            self._build(geometry)
        return self.scene.lines(t_s, index, self.options.sample_format), geometry


class _ReplaySource:
    def __init__(self, source: ReplaySource) -> None:
        self.source = source

    def frame(self, t_s: float, index: int, geometry: Geometry) -> tuple[np.ndarray, Geometry]:
        recorded = self.source.at(t_s)
        return recorded.lines, recorded.geometry  # a recording cannot change depth


def serve(link: Path, options: SimOptions | None = None) -> None:
    """Serve the simulated probe on a pty until SIGTERM/SIGINT."""
    options = options or SimOptions()
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    source: _SceneSource | _ReplaySource
    fps = options.fps
    if options.replay is not None:
        replay = ReplaySource(recorded_frames(options.replay))
        source, geometry, fps = _ReplaySource(replay), replay.frames[0].geometry, replay.fps
    else:
        geometry = probe_geometry(options)
        source = _SceneSource(options, geometry)
    endpoint = PtyEndpoint(link)
    recorder = LinkRecorder(options.record) if options.record is not None else None

    def send(data: bytes) -> None:
        if recorder is not None:
            recorder.write(TO_HOST, data, time.monotonic())
        endpoint.write(data)

    depth_range = None if options.replay is not None else DEPTH_RANGE_MM  # a recording has one depth
    device = SimulatedProbeDevice(geometry, send, time.monotonic, depth_range_mm=depth_range)
    period = 1.0 / fps
    t0 = time.monotonic()
    next_frame = t0
    next_heartbeat = t0
    what = f"replay of {options.replay}" if options.replay else f"{options.probe}, {options.sample_format}"
    print(f"simulated probe ({what}, {fps:g} fps) on {link} -> {os.readlink(link)}", flush=True)
    try:
        while not stop:
            now = time.monotonic()
            timeout = max(0.0, min(next_frame, next_heartbeat) - now)
            wlist = [endpoint.master] if endpoint.busy else []
            r, w, _ = select.select([endpoint.master], wlist, [], timeout)
            if r:
                data = endpoint.read()
                if recorder is not None:
                    recorder.write(TO_PROBE, data, time.monotonic())
                device.feed(data)
            if w:
                endpoint.flush()
            now = time.monotonic()
            device.tick()
            if now >= next_heartbeat:
                device.heartbeat()
                next_heartbeat = now + 0.5
            if now >= next_frame:
                next_frame += period
                if next_frame < now:  # fell behind: skip, never burst
                    next_frame = now + period
                if not device.streaming:
                    continue
                if endpoint.busy:
                    device.dropped_frames += 1
                    continue
                lines, device.geometry = source.frame(now - t0, device.frames_sent, device.geometry)
                send(device.encode_frame(lines, int(time.time() * 1e6)))
                device.frames_sent += 1
    finally:
        endpoint.close()
        if recorder is not None:
            recorder.close()
