"""Live view-model cine and captures on the simulated probe, without a window: the imaging package's cine
ring behind freeze and scrub, stills through the record, clips as MP4/H.264 named in the journal."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from sonocart.cart.captures import capture_clip, capture_still
from sonocart.cart.live import LiveImaging
from sonocart.clock import ManualClock
from sonocart.devices.probe import ProbeClient
from tests.conftest import SimProcess, wait_until
from tests.ui.vm_fixtures import started


@pytest.fixture
def live(probe_sim: Callable[..., SimProcess]) -> Iterator[LiveImaging]:
    sim = probe_sim("--lines", "96", "--samples", "384")
    probe = ProbeClient(str(sim.link)).start()
    try:
        yield LiveImaging(probe, time.monotonic, 320, 240)
    finally:
        probe.stop()


def _render(vm: LiveImaging, frames: int) -> None:
    target = vm.frames_rendered + frames

    def more() -> bool:
        vm.poll()
        return vm.frames_rendered >= target

    wait_until(more, 20, f"{frames} rendered frames")


def test_freeze_holds_the_cine_and_scrubbing_shows_older_frames_of_it(live: LiveImaging) -> None:
    _render(live, 12)
    newest = live.displayed()
    assert newest is not None and live.cine is not None and len(live.cine) >= 12
    assert live.toggle_freeze()
    held = len(live.cine)
    views = [live.poll() for _ in range(20)]
    assert len(live.cine) == held and all(v.frozen for v in views)
    live.scrub(0.0)
    oldest = live.displayed()
    assert oldest is not None and oldest[0].shape == newest[0].shape
    assert live.cine.position == 0 and not np.array_equal(oldest[0], newest[0])
    live.scrub(1.0)
    assert live.cine.position == held - 1
    assert not live.toggle_freeze() and not live.cine.frozen


def test_clip_is_an_mp4_in_the_record_and_its_journaled_note_names_file_and_sha256(
    live: LiveImaging, tmp_path: Path
) -> None:
    session, _form = started(tmp_path, ManualClock())
    _render(live, 15)
    assert capture_still(session, live, "touch")
    assert capture_clip(session, live, "touch", seconds=3.0)
    record = session.record
    assert record is not None
    assert [c["file"] for c in record.engine.state.captures] == ["captures/001.png"]
    [note] = record.engine.state.notes
    text, operator = note["text"], note["operator"]
    assert operator == "dr_ana"
    m = re.match(r"clip (clips/001\.mp4): (\d+) frames at \d+ fps \(H\.264\), sha256 ([0-9a-f]{64})$", text)
    assert m is not None, text
    clip = record.path / m.group(1)
    assert hashlib.sha256(clip.read_bytes()).hexdigest() == m.group(3)
    assert clip.stat().st_mode & 0o777 == 0o600
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in container.decode(stream)) == int(m.group(2)) >= 15
    assert not list(record.path.glob("clips/*.npz"))
