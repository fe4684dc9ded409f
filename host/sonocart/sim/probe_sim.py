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
from pathlib import Path

from sonocart.imaging.geometry import Geometry
from sonocart.sim.phantom import Phantom
from sonocart.sim.probe_device import SimulatedProbeDevice
from sonocart.sim.pty import PtyEndpoint

PROBES = {
    "linear": Geometry("linear", 0.0, 40.0, width_mm=38.0),
    "convex": Geometry("convex", 0.0, 80.0, radius_mm=40.0, fov_deg=60.0),
    "phased": Geometry("phased", 0.0, 100.0, fov_deg=90.0),
}


def serve(
    link: Path,
    probe: str = "convex",
    fps: float = 30.0,
    n_lines: int = 128,
    n_samples: int = 512,
    seed: int = 1,
) -> None:
    """Serve the simulated probe on a pty until SIGTERM/SIGINT."""
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    endpoint = PtyEndpoint(link)
    device = SimulatedProbeDevice(PROBES[probe], endpoint.write, time.monotonic)
    phantom = Phantom(device.geometry, n_lines, n_samples, seed)
    period = 1.0 / fps
    t0 = time.monotonic()
    next_frame = t0
    next_heartbeat = t0
    print(f"simulated probe ({probe}, {fps:g} fps) on {link} -> {os.readlink(link)}", flush=True)
    try:
        while not stop:
            now = time.monotonic()
            timeout = max(0.0, min(next_frame, next_heartbeat) - now)
            wlist = [endpoint.master] if endpoint.busy else []
            r, w, _ = select.select([endpoint.master], wlist, [], timeout)
            if r:
                device.feed(endpoint.read())
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
                if device.geometry != phantom.geometry:
                    phantom = Phantom(device.geometry, n_lines, n_samples, seed)
                if not device.streaming:
                    continue
                if endpoint.busy:
                    device.dropped_frames += 1
                    continue
                lines = phantom.frame(now - t0, device.frames_sent)
                endpoint.write(device.encode_frame(lines, int(time.time() * 1e6)))
                device.frames_sent += 1
    finally:
        endpoint.close()
