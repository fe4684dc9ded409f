"""Raw probe-link recordings: every byte on the link, with its time and direction, and their replay.

File format (little-endian): the magic ``b"SONOLINK1\\n"``, then records of
``<Q t_us><B direction><I length>`` followed by ``length`` bytes exactly as they
crossed the link (COBS-framed; direction 0 = probe → host, 1 = host → probe).
A replay decodes the probe's FRAME messages with the real codec and serves
them again through a live protocol endpoint (fresh sequence numbers, HELLO and
heartbeats answered), at the recorded pace, looping.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from cobs import cobs

from sonocart.devices.probe_geometry import to_geometry
from sonocart.imaging.geometry import Geometry
from sonocart.wire import probe_codec as pc
from sonocart.wire.framer import Framer

MAGIC = b"SONOLINK1\n"
RECORD = struct.Struct("<QBI")
TO_HOST, TO_PROBE = 0, 1


class RecordingError(ValueError):
    pass


class LinkRecorder:
    """Appends link traffic to a recording file; times are relative to the first record."""

    def __init__(self, path: Path) -> None:
        self._f: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._f.write(MAGIC)
        self._t0: float | None = None

    def write(self, direction: int, data: bytes, now_s: float) -> None:
        if not data:
            return
        if self._t0 is None:
            self._t0 = now_s
        t_us = max(0, round((now_s - self._t0) * 1e6))
        self._f.write(RECORD.pack(t_us, direction, len(data)))
        self._f.write(data)

    def close(self) -> None:
        self._f.close()


def read_records(path: Path) -> Iterator[tuple[float, int, bytes]]:
    """(t_s, direction, bytes) for every record; raises :class:`RecordingError` on a damaged file."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise RecordingError(f"{path}: not a Sonocart link recording")
        while header := f.read(RECORD.size):
            if len(header) < RECORD.size:
                raise RecordingError(f"{path}: truncated record header")
            t_us, direction, length = RECORD.unpack(header)
            data = f.read(length)
            if len(data) < length:
                raise RecordingError(f"{path}: truncated record")
            yield t_us / 1e6, direction, data


@dataclass(frozen=True)
class RecordedFrame:
    t_s: float
    lines: np.ndarray
    geometry: Geometry


def recorded_frames(path: Path) -> list[RecordedFrame]:
    """The probe's frames in a recording, decoded by the real codec (damaged frames are skipped)."""
    frames: list[RecordedFrame] = []
    now = [0.0]

    def on_payload(payload: bytes) -> None:
        msg = pc.decode(payload)
        if isinstance(msg, pc.Frame):
            frames.append(RecordedFrame(now[0], np.array(msg.lines), to_geometry(msg.geometry)))

    framer = Framer(on_payload, pc.MAX_PAYLOAD, cobs_decode=cobs.decode)
    for t_s, direction, data in read_records(path):
        if direction == TO_HOST:
            now[0] = t_s
            framer.feed(data)
    if not frames:
        raise RecordingError(f"{path}: holds no probe frames")
    return frames


class ReplaySource:
    """Frames of a recording by time since replay start, looping at the recorded pace."""

    def __init__(self, frames: list[RecordedFrame]) -> None:
        self.frames = frames
        t0 = frames[0].t_s
        self._times = np.array([f.t_s - t0 for f in frames])
        gaps = np.diff(self._times)
        self._period = float(self._times[-1] + (np.median(gaps) if gaps.size else 1 / 30))

    @property
    def fps(self) -> float:
        return len(self.frames) / self._period

    def at(self, t_s: float) -> RecordedFrame:
        k = int(np.searchsorted(self._times, t_s % self._period, side="right")) - 1
        return self.frames[max(k, 0)]
