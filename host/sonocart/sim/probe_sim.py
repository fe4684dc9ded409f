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
from sonocart.sim.needle import NeedlePath
from sonocart.sim.probe_control import SceneControl
from sonocart.sim.probe_device import DEPTH_RANGE_MM, SimulatedProbeDevice
from sonocart.sim.pty import PtyEndpoint
from sonocart.sim.recording import TO_HOST, TO_PROBE, LinkRecorder, ReplaySource, recorded_frames
from sonocart.sim.scenes import DEFAULT_SCENE, scene
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
    scene: str = DEFAULT_SCENE  # sonocart.sim.scenes.SCENES; scene_for_procedure() maps catalogue ids
    control: Path | None = None  # UNIX socket to switch scenes while running (probe_control)
    record: Path | None = None
    replay: Path | None = None


def probe_geometry(options: SimOptions) -> Geometry:
    geometry = PROBES[options.probe]
    if options.depth_mm is not None:
        geometry = replace(geometry, depth_end_mm=options.depth_mm)
    return geometry


def scene_needle(geometry: Geometry, scene_name: str, angle_deg: float) -> NeedlePath:
    """The block's needle: towards the scene's target at ``angle_deg`` (a generic path if it cannot)."""
    try:
        return default_needle(geometry, angle_deg, scene(scene_name).needle_target_mm)
    except ValueError:  # e.g. too steep or too flat to reach the target in this view
        return default_needle(geometry, angle_deg)


class SceneSource:
    """Live frames from a tissue scene; rebuilt when the host changes the depth or a scene is chosen."""

    def __init__(self, options: SimOptions, geometry: Geometry) -> None:
        self.options = options
        self.scene_name = scene(options.scene).name
        self._build(geometry)

    def set_scene(self, name: str) -> None:
        """Show scene ``name`` from the next frame on (``ValueError`` for an unknown one)."""
        self.scene_name = scene(name).name
        self._build(self.scene.geometry)

    def _build(self, geometry: Geometry) -> None:
        o = self.options
        needle = (
            None
            if o.needle_angle_deg is None
            else scene_needle(geometry, self.scene_name, o.needle_angle_deg)
        )
        self.scene = TissueScene(
            geometry,
            o.n_lines,
            o.n_samples,
            o.seed,
            needle=needle,
            with_needle=needle is not None,
            scene_name=self.scene_name,
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
    source: SceneSource | _ReplaySource
    fps = options.fps
    if options.replay is not None:
        replay = ReplaySource(recorded_frames(options.replay))
        source, geometry, fps = _ReplaySource(replay), replay.frames[0].geometry, replay.fps
    else:
        geometry = probe_geometry(options)
        source = SceneSource(options, geometry)
    control = SceneControl(options.scene)
    if options.control is not None:
        control.serve(options.control)
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
    what = (
        f"replay of {options.replay}"
        if options.replay
        else f"{options.probe}, {options.sample_format}, scene {options.scene}"
    )
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
            requested = control.take()
            if requested is not None and isinstance(source, SceneSource):
                source.set_scene(requested)
                print(f"scene: {requested}", flush=True)
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
        control.close()
        endpoint.close()
        if recorder is not None:
            recorder.close()
