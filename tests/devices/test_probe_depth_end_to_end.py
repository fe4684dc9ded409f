"""Depth changes through the real simulator on a real pty: the depth shown is the depth of the frames
that arrive; a refusal is shown and changes nothing; an unanswered request is reported not confirmed."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sonocart.devices.probe import ProbeClient
from sonocart.devices.probe_depth import DepthOutcome, DepthRequest, FrameDepthChanged, ProbeEvent
from sonocart.devices.probe_geometry import to_geometry
from tests.conftest import SimProcess, wait_until

SMALL = ("--lines", "32", "--samples", "128")


class Recorder:
    """Every probe event, with the depth of the frames on screen when it came."""

    def __init__(self, client: ProbeClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self.events: list[tuple[ProbeEvent, float | None]] = []
        client.subscribe(self._on)

    def _on(self, event: ProbeEvent) -> None:
        with self._lock:
            self.events.append((event, self.client.status().frame_depth_mm))

    def requests(self) -> list[tuple[float, DepthOutcome, float | None]]:
        with self._lock:
            return [(e.depth_mm, e.outcome, shown) for e, shown in self.events if isinstance(e, DepthRequest)]

    def frame_depths(self) -> list[tuple[float, float | None]]:
        with self._lock:
            return [(e.depth_mm, e.previous_mm) for e, _ in self.events if isinstance(e, FrameDepthChanged)]


@contextmanager
def running(port: Path, depth_mm: float | None = None) -> Iterator[tuple[ProbeClient, Recorder]]:
    client = ProbeClient(str(port), depth_mm=depth_mm)
    recorder = Recorder(client)
    client.start()
    try:
        yield client, recorder
    finally:
        client.stop()


def _frame_depth(client: ProbeClient) -> float | None:
    return client.status().frame_depth_mm


def _frames_after(client: ProbeClient, n: int) -> None:
    target = client.latest.count + n
    wait_until(lambda: client.latest.count >= target, 10, f"{n} more frames")


@pytest.fixture
def at_50mm(probe_sim: Callable[..., SimProcess]) -> Iterator[tuple[SimProcess, ProbeClient, Recorder]]:
    """A simulator imaging to 50 mm and a client that has frames from it."""
    sim = probe_sim("--depth", "50", *SMALL)
    with running(sim.link) as (client, rec):
        wait_until(lambda: _frame_depth(client) == 50.0, 15, "frames at 50 mm")
        yield sim, client, rec


@contextmanager
def frozen(sim: SimProcess) -> Iterator[None]:
    """The simulator process stopped (SIGSTOP): a hung probe that reads and answers nothing."""
    assert sim.proc is not None
    os.kill(sim.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        if sim.proc.poll() is None:
            os.kill(sim.proc.pid, signal.SIGCONT)


def test_an_accepted_depth_shows_only_once_frames_at_that_depth_arrive(
    at_50mm: tuple[SimProcess, ProbeClient, Recorder],
) -> None:
    _, client, rec = at_50mm
    asked = client.set_depth(65.0)
    assert (asked.depth_mm, asked.outcome) == (65.0, DepthOutcome.PENDING)
    wait_until(lambda: _frame_depth(client) == 65.0, 5, "frames at 65 mm")
    frame = client.latest.get()[0]
    assert frame is not None and to_geometry(frame.geometry).depth_end_mm == 65.0
    # The probe's ACK comes before its first frame at the new depth: when the acceptance arrived the
    # frames on screen were still at 50 mm, and the depth shown changed with the frames, not the ACK.
    assert rec.requests() == [(65.0, DepthOutcome.PENDING, 50.0), (65.0, DepthOutcome.ACCEPTED, 50.0)]
    assert rec.frame_depths() == [(50.0, None), (65.0, 50.0)]
    status = client.status()
    assert not status.depth_pending and status.depth_refused is None and status.depth_unconfirmed is None


def test_a_refused_depth_is_shown_keeps_the_image_depth_and_is_not_asked_again_after_a_reconnect(
    probe_sim: Callable[..., SimProcess],
) -> None:
    sim = probe_sim(*SMALL)  # the convex probe images to 80 mm by default
    with running(sim.link, depth_mm=45.0) as (client, rec):
        wait_until(lambda: _frame_depth(client) == 45.0, 15, "frames at the depth asked for at connect")
        client.set_depth(400.0)  # the simulator images 10 to 160 mm
        wait_until(lambda: client.status().depth_refused is not None, 5, "the refusal")
        _frames_after(client, 10)
        status = client.status()
        assert status.depth_refused == "outside the probe's depth range"
        assert (status.depth_requested_mm, status.depth_pending, status.frame_depth_mm) == (
            400.0,
            False,
            45.0,
        )
        assert status.depth_request is not None
        assert status.depth_request.text == "depth 400 mm: refused (outside the probe's depth range)"
        sim.kill()
        probe_sim(*SMALL)  # a probe that comes back at its own default depth, 80 mm
        wait_until(lambda: client.status().frames > status.frames + 5, 15, "frames after the reconnect")
        wait_until(lambda: _frame_depth(client) == 45.0, 5, "the last accepted depth restored")
        asked = [depth for depth, outcome, _ in rec.requests() if outcome is DepthOutcome.PENDING]
        # 45 mm at each connect (once per IDENTIFY: a slow answer to HELLO may bring two), 400 mm once.
        assert asked.count(400.0) == 1 and set(asked) == {45.0, 400.0}
        assert 45.0 in asked[asked.index(400.0) :]


def test_a_depth_request_a_hung_probe_never_answers_is_not_confirmed_until_a_late_answer_comes(
    at_50mm: tuple[SimProcess, ProbeClient, Recorder],
) -> None:
    sim, client, rec = at_50mm
    with frozen(sim):
        client.set_depth(65.0)
        wait_until(lambda: client.status().depth_unconfirmed is not None, 10, "not confirmed")
        status = client.status()
        assert status.depth_unconfirmed == "no answer from the probe within 1.5 s"
        assert (status.depth_requested_mm, status.frame_depth_mm) == (65.0, 50.0)
        wait_until(lambda: len(rec.requests()) == 2, 5, "the not-confirmed event")
        assert rec.requests()[1][:2] == (65.0, DepthOutcome.UNCONFIRMED)
    wait_until(lambda: _frame_depth(client) == 65.0, 10, "frames at 65 mm once the probe runs again")
    assert rec.requests()[-1][:2] == (65.0, DepthOutcome.ACCEPTED)


def test_a_probe_unplugged_before_it_answers_leaves_the_request_not_confirmed_and_asked_again(
    at_50mm: tuple[SimProcess, ProbeClient, Recorder], probe_sim: Callable[..., SimProcess]
) -> None:
    sim, client, rec = at_50mm
    with frozen(sim):
        asked = client.set_depth(65.0)
        assert asked.outcome is DepthOutcome.PENDING
        sim.kill()  # unplugged while it had not yet read the request
    wait_until(lambda: client.status().depth_unconfirmed is not None, 5, "not confirmed")
    status = client.status()
    assert status.depth_unconfirmed == "the probe link dropped before the probe answered"
    assert (status.depth_requested_mm, status.frame_depth_mm) == (65.0, 50.0)
    assert status.fault is not None
    probe_sim("--depth", "50", *SMALL)
    wait_until(lambda: _frame_depth(client) == 65.0, 15, "the request sent again to the returned probe")
    outcomes = [(d, o) for d, o, _ in rec.requests()]
    assert outcomes[:3] == [
        (65.0, DepthOutcome.PENDING),
        (65.0, DepthOutcome.UNCONFIRMED),
        (65.0, DepthOutcome.PENDING),  # asked again when the probe identified itself
    ]
    wait_until(lambda: rec.requests()[-1][1] is DepthOutcome.ACCEPTED, 5, "the acceptance")


def test_a_replayed_recording_refuses_a_depth_change(
    tmp_path: Path, probe_sim: Callable[..., SimProcess]
) -> None:
    rec_file = tmp_path / "session.rec"
    sim = probe_sim("--probe", "linear", *SMALL, "--record", str(rec_file))
    with running(sim.link) as (client, _):
        wait_until(lambda: client.latest.count >= 5, 15, "frames while recording")
    sim.stop()
    time.sleep(0.1)
    replay = probe_sim("--replay", str(rec_file))
    with running(replay.link) as (client, _):
        wait_until(lambda: _frame_depth(client) == 40.0, 15, "replayed frames at the linear probe's 40 mm")
        client.set_depth(30.0)
        wait_until(lambda: client.status().depth_refused is not None, 5, "the refusal")
        assert client.status().depth_refused == "this probe cannot change depth"
        _frames_after(client, 5)
        assert _frame_depth(client) == 40.0
