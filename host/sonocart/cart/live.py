"""Live imaging: the newest image, whether it is live, frozen review, imaging controls (no Kivy).

Frozen means "not live": the view says FROZEN and never shows a held frame as a live one. The imaging
package's cine ring (``sonocart.imaging.cine.CineBuffer``: the grey levels behind each shown image, fixed
memory) lets a frozen image be scrubbed and a clip be saved; its frames are scan-converted again on demand.

A view that scan-converts on its GPU sets :attr:`LiveImaging.gpu_wanted`; live frames then come as a
:class:`~sonocart.imaging.gpu_params.GpuFrame` (lines, mapping, overlay mask) instead of an image, except
while needle enhancement is on (the detector works on the image: the CPU path runs and the view gets the
image). Frozen review, stills and clips are always scan-converted on the CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sonocart.devices.probe import ProbeClient, ProbeStatus
from sonocart.devices.probe_depth import DepthOutcome
from sonocart.devices.probe_geometry import to_geometry
from sonocart.imaging.cine import CineBuffer
from sonocart.imaging.geometry import Geometry
from sonocart.imaging.gpu_params import GpuFrame
from sonocart.imaging.liveness import Liveness, assess
from sonocart.imaging.measure import measure
from sonocart.imaging.pipeline import BModePipeline
from sonocart.imaging.scanconvert import Calibration
from sonocart.imaging.settings import PERSISTENCE_LEVELS

CINE_SECONDS = 3.0
CINE_FPS = 30.0
CINE_MAX_BYTES = 32 * 1024 * 1024  # bounds the ring whatever the probe's line count
GAIN_RANGE_DB = (-20.0, 30.0)
DR_RANGE_DB = (30.0, 90.0)
DEPTH_RANGE_MM = (20.0, 120.0)
TGC_BANDS = 8
TGC_RANGE_DB = (-15.0, 15.0)


@dataclass(frozen=True)
class LiveView:
    image: np.ndarray | None  # a new image to show, or None when nothing new arrived
    calibration: Calibration | None
    liveness: Liveness
    status: ProbeStatus
    frozen: bool = False
    #: a new frame for the view's GPU scan conversion (then ``image`` is None), or None.
    gpu: GpuFrame | None = None


class LiveImaging:
    """Polls the probe's latest-frame slot; renders only frames not yet shown."""

    def __init__(self, probe: ProbeClient, clock: Callable[[], float], width_px: int, height_px: int) -> None:
        self._probe = probe
        self.clock = clock
        self.pipeline = BModePipeline(width_px, height_px)
        self.pipeline.settings.depth_scale = True  # centimetre ticks on the image
        self._shown = 0
        self.frames_rendered = 0
        self.render_failures = 0  # frames the pipeline refused (0 while the probe client validates)
        self._render_fault: str | None = None
        self.frozen = False
        self.cine: CineBuffer | None = None  # built at the first frame, for its line shape
        self._shown_image: tuple[np.ndarray, Calibration] | None = None  # what is on screen now
        #: the view draws live frames itself from the lines (see the module's docstring)
        self.gpu_wanted = False
        self._gpu_shown: Geometry | None = None  # a GPU frame is on screen: its image is made on demand
        self._scrubbed = False
        self.calipers: list[tuple[float, float]] = []
        self.needle_enhance = False
        #: Depth of the image on screen: from the geometry of the frame rendered (live or cine), never a
        #: depth merely asked for (the probe may refuse it or not answer).
        self.shown_depth_mm: float | None = None
        self.tgc_db = [0.0] * TGC_BANDS

    def resize(self, width_px: int, height_px: int) -> None:
        if (width_px, height_px) != (self.pipeline.width_px, self.pipeline.height_px):
            self.pipeline = BModePipeline(width_px, height_px, self.pipeline.settings)
            self._shown = 0  # re-render the newest frame at the new size
            self._shown_image = None
            self._gpu_shown = None
            if self.cine is not None:
                self.cine.clear()
                self.frozen = False

    def poll(self) -> LiveView:
        frame, arrived, count = self._probe.latest.get()
        status = self._probe.status()
        image = cal = gpu = None
        if self.frozen:
            if self._scrubbed and self._shown_image is not None:
                image, cal = self._shown_image
                self._scrubbed = False
        elif frame is not None and count != self._shown:
            self._shown = count
            try:  # the probe client validated it; a frame the pipeline still refuses is not shown
                geometry = to_geometry(frame.geometry)
                if self.gpu_wanted and not self.needle_enhance:
                    gpu = self.pipeline.process_for_gpu(frame.lines, geometry)
                    cal = gpu.calibration
                else:
                    image, cal = self.pipeline.process(frame.lines, geometry)
            except ValueError as exc:
                self.render_failures += 1
                self._render_fault = f"frame cannot be displayed: {exc}"
            else:
                self._render_fault = None
                self.shown_depth_mm = geometry.depth_end_mm
                self._shown_image = None if image is None else (image.copy(), cal)
                self._gpu_shown = geometry if image is None else None
                self._record(geometry)
                self.frames_rendered += 1
        liveness = assess(self.clock(), arrived, status.fault or self._render_fault)
        return LiveView(image, cal, liveness, status, self.frozen, gpu)

    # -- freeze and cine --------------------------------------------------------------------------
    def _record(self, geometry: Geometry) -> None:
        """Keep the grey levels behind the image just shown; a new line shape starts a new ring."""
        lines = self.pipeline.shown_lines
        if lines is None:
            return
        if self.cine is None or self.cine.shape != lines.shape:
            n_lines, n_samples = lines.shape
            self.cine = CineBuffer(n_lines, n_samples, CINE_MAX_BYTES, CINE_SECONDS, CINE_FPS)
        self.cine.push(lines, geometry, self.clock())

    def toggle_freeze(self) -> bool:
        """Freeze holds the image on screen (the newest cine frame); unfreeze goes live at once."""
        self.frozen = not self.frozen
        self.calipers = []
        if self.cine is not None:
            if self.frozen:
                self.cine.freeze()
            else:
                self.cine.unfreeze()
        if not self.frozen:
            self._shown = 0  # show the newest frame at once
        return self.frozen

    def scrub(self, fraction: float) -> None:
        """Show the cine frame at ``fraction`` (0 = oldest, 1 = newest) of the frozen loop."""
        cine = self.cine
        if not self.frozen or cine is None or not len(cine):
            return
        target = min(len(cine) - 1, max(0, round(fraction * (len(cine) - 1))))
        frame = cine.scroll(target - cine.position)
        image, cal = self.pipeline.render_levels(frame.lines, frame.geometry)
        self.shown_depth_mm = frame.geometry.depth_end_mm
        self._shown_image = (image.copy(), cal)
        self._gpu_shown = None
        self._scrubbed = True

    def displayed(self) -> tuple[np.ndarray, Calibration] | None:
        """The image on screen now (the scrubbed one when frozen), for a still capture.

        A frame the view drew on its GPU is scan-converted here, on the CPU, from the same lines."""
        lines = self.pipeline.shown_lines
        if self._shown_image is None and self._gpu_shown is not None and lines is not None:
            image, cal = self.pipeline.render_levels(lines, self._gpu_shown)
            self._shown_image = (image.copy(), cal)
            self._gpu_shown = None
        return self._shown_image

    def clip(self, seconds: float = CINE_SECONDS) -> tuple[list[np.ndarray], float]:
        """The last ``seconds`` of the cine (up to the frozen frame) as images, and their frame rate."""
        cine = self.cine
        if cine is None or not len(cine):
            return [], CINE_FPS
        end = cine.position + 1 if cine.frozen else len(cine)
        frames = [cine.frame(i) for i in range(end)]
        frames = [f for f in frames if f.t_s >= frames[-1].t_s - seconds]
        images = [self.pipeline.render_levels(f.lines, f.geometry)[0].copy() for f in frames]
        span = frames[-1].t_s - frames[0].t_s
        fps = (len(frames) - 1) / span if len(frames) > 1 and span > 0 else CINE_FPS
        return images, fps

    # -- controls ---------------------------------------------------------------------------------
    def adjust_gain(self, delta_db: float) -> float:
        s = self.pipeline.settings
        s.gain_db = min(GAIN_RANGE_DB[1], max(GAIN_RANGE_DB[0], s.gain_db + delta_db))
        self._shown = 0
        return s.gain_db

    def adjust_dynamic_range(self, delta_db: float) -> float:
        s = self.pipeline.settings
        s.dynamic_range_db = min(DR_RANGE_DB[1], max(DR_RANGE_DB[0], s.dynamic_range_db + delta_db))
        self._shown = 0
        return s.dynamic_range_db

    def adjust_depth(self, delta_mm: float) -> float:
        """Ask the probe for a new depth, one step from the pending request or else the depth shown.

        The image keeps its depth until frames at the new one arrive; the request's outcome (pending,
        refused, not confirmed) is in :meth:`depth_line`."""
        st = self._probe.status()
        base = st.depth_requested_mm if st.depth_pending else (self.shown_depth_mm or st.frame_depth_mm)
        want = min(DEPTH_RANGE_MM[1], max(DEPTH_RANGE_MM[0], (base or 60.0) + delta_mm))
        self._probe.set_depth(want)
        return want

    def depth_line(self) -> str:
        """The depth of the image on screen, plus a request the probe has not (or not yet) applied."""
        shown = "depth —" if self.shown_depth_mm is None else f"depth {self.shown_depth_mm:.0f} mm"
        req = self._probe.status().depth_request
        if req is None or req.outcome is DepthOutcome.ACCEPTED:
            return shown
        if req.outcome is DepthOutcome.PENDING:
            return f"{shown} (asking the probe for {req.depth_mm:.0f} mm)"
        return f"{shown} · [!] {req.text}"

    def adjust_tgc(self, band: int, delta_db: float) -> float:
        """One of 8 depth bands (0 = shallowest), interpolated over depth by the imaging chain."""
        value = min(TGC_RANGE_DB[1], max(TGC_RANGE_DB[0], self.tgc_db[band] + delta_db))
        self.tgc_db[band] = value
        self.pipeline.settings.tgc_db = tuple(self.tgc_db)
        self._shown = 0
        return value

    def cycle_persistence(self) -> str:
        """Next named persistence level (off → low → medium → high → off): frame averaging calms speckle
        on a still probe and smears a moving needle, so the clinician chooses."""
        names = list(PERSISTENCE_LEVELS)
        now = self.persistence_name()
        name = names[(names.index(now) + 1) % len(names)]
        self.pipeline.settings.persistence = PERSISTENCE_LEVELS[name]
        self.pipeline.reset_persistence()
        self._shown = 0
        return name

    def persistence_name(self) -> str:
        value = self.pipeline.settings.persistence
        return min(PERSISTENCE_LEVELS, key=lambda n: abs(PERSISTENCE_LEVELS[n] - value))

    def toggle_needle(self) -> bool:
        """Needle enhancement: the imaging chain finds the shaft and tip and draws them (issue 4)."""
        self.needle_enhance = not self.needle_enhance
        self.pipeline.settings.needle_enhance = self.needle_enhance
        self._shown = 0
        return self.needle_enhance

    def needle_line(self) -> str:
        if not self.needle_enhance:
            return ""
        est = self.pipeline.needle
        if est is None:
            fault = self.pipeline.needle_fault
            return f"needle: {fault}" if fault else "needle: not found"
        depth, angle = est.tip_mm[1], est.angle_deg
        return f"needle: tip {depth:.0f} mm deep · {angle:.0f}° · confidence {est.confidence:.0%}"

    def settings_line(self) -> str:
        s = self.pipeline.settings
        tgc = " ".join(f"{v:+.0f}" for v in self.tgc_db)
        return (
            f"{self.depth_line()} · gain {s.gain_db:+.0f} dB · DR {s.dynamic_range_db:.0f} dB"
            f" · TGC {tgc} · persist {self.persistence_name()}"
        )

    def press(self, key: str) -> None:
        name, _, arg = key.partition(":")
        sign = -1.0 if arg.endswith("-") else 1.0
        if name == "depth":
            self.adjust_depth(10.0 * sign)
        elif name == "gain":
            self.adjust_gain(3.0 * sign)
        elif name == "dr":
            self.adjust_dynamic_range(5.0 * sign)
        elif name == "persistence":
            self.cycle_persistence()
        elif name == "tgc":
            self.adjust_tgc(int(arg.split(":")[0]), 3.0 * sign)

    # -- calipers ---------------------------------------------------------------------------------
    def add_caliper(self, u_px: float, v_px: float) -> None:
        """A touch on the frozen image: the first two points measure; a third starts again."""
        if not self.frozen:
            return
        if len(self.calipers) >= 2:
            self.calipers = []
        self.calipers.append((u_px, v_px))

    def caliper_mm(self) -> float | None:
        if len(self.calipers) < 2:  # (before displayed(): a GPU frame's image is made only when needed)
            return None
        shown = self.displayed()
        if shown is None:
            return None
        return measure(shown[1], self.calipers[0], self.calipers[1]).distance_mm


def status_line(status: ProbeStatus, liveness: Liveness) -> str:
    """One line for the status bar; numbers, not adjectives."""
    if status.identity is None:
        who = "probe: not connected" if not status.connected else "probe: connecting"
    else:
        who = f"probe {status.identity.serial_number}"
    age = "—" if liveness.frame_age_s is None else f"{liveness.frame_age_s * 1000:.0f} ms"
    return f"{who} · {status.fps:.0f} fps · age {age} · gaps {status.sequence_gaps}"
