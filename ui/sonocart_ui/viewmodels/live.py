"""What the live imaging view shows: the newest image, whether it is live, and the device status line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sonocart.devices.probe import ProbeClient, ProbeStatus
from sonocart.devices.probe_geometry import to_geometry
from sonocart.imaging.liveness import Liveness, assess
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.scanconvert import Calibration


@dataclass(frozen=True)
class LiveView:
    image: np.ndarray | None  # a new image to show, or None when nothing new arrived
    calibration: Calibration | None
    liveness: Liveness
    status: ProbeStatus


class LiveViewModel:
    """Polls the probe's latest-frame slot; renders only frames not yet shown."""

    def __init__(self, probe: ProbeClient, clock: Callable[[], float], width_px: int, height_px: int) -> None:
        self._probe = probe
        self.clock = clock
        self.pipeline = BModePipeline(width_px, height_px)
        self._shown = 0
        self.frames_rendered = 0

    def resize(self, width_px: int, height_px: int) -> None:
        if (width_px, height_px) != (self.pipeline.width_px, self.pipeline.height_px):
            self.pipeline = BModePipeline(width_px, height_px, self.pipeline.settings)
            self._shown = 0  # re-render the newest frame at the new size

    def poll(self) -> LiveView:
        frame, arrived, count = self._probe.latest.get()
        status = self._probe.status()
        image = cal = None
        if frame is not None and count != self._shown:
            self._shown = count
            image, cal = self.pipeline.process(frame.lines, to_geometry(frame.geometry))
            self.frames_rendered += 1
        return LiveView(image, cal, assess(self.clock(), arrived, status.fault), status)


def status_line(status: ProbeStatus, liveness: Liveness) -> str:
    """One line for the status bar; numbers, not adjectives."""
    if status.identity is None:
        who = "probe: not connected" if not status.connected else "probe: connecting"
    else:
        who = f"probe {status.identity.serial_number}"
    age = "—" if liveness.frame_age_s is None else f"{liveness.frame_age_s * 1000:.0f} ms"
    return (
        f"{who} · {status.fps:4.1f} fps · frame age {age} · "
        f"gaps {status.sequence_gaps} · bad {status.bad_frames} · device dropped {status.device_dropped}"
    )
