"""Shared test steps: connect the pedal driver to a rig, follow events, run the host app in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sonocart.devices.pedal import PedalBoard
from sonocart.devices.pedal_events import BoardEvent, LinkEvent, PedalEvent
from sonocart.journal.store import Journal
from sonocart.records.record import JOURNAL_NAME
from tests.pedal.conftest import wait_event
from tools.rig.bench_host import HostApp

from .interface import Rig, Sample

TAP_MS = 100
#: The light is sampled, not watched continuously, on a real rig (colour sensor integration time);
#: the simulator's pins are exact. Latency bounds add this much for the sampling.
SAMPLING_SLACK_S = 0.03


def drain(driver: PedalBoard, quiet: float = 0.3) -> list[BoardEvent]:
    out: list[BoardEvent] = []
    while (ev := driver.get_event(quiet)) is not None:
        out.append(ev)
    return out


def pedal_events(events: list[BoardEvent]) -> list[PedalEvent]:
    return [e for e in events if isinstance(e, PedalEvent)]


@contextmanager
def connected_driver(rig: Rig) -> Iterator[PedalBoard]:
    """The host's pedal driver on the rig's pedal port, once the board has identified itself."""
    driver = PedalBoard(rig.pedal_port).start()
    try:
        ok = wait_event(driver, lambda e: isinstance(e, LinkEvent) and e.kind == "identified", 10.0)
        assert ok, f"pedal board on {rig.pedal_port} never identified"
        yield driver
    finally:
        driver.stop()


def tap(rig: Rig, pedal: str, ms: int = TAP_MS) -> float:
    t = rig.press(pedal)
    time.sleep(ms / 1000)
    rig.release(pedal)
    return t


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, poll: float = 0.005) -> float:
    """Poll until ``predicate()``; return when it first held (host s); fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)
    return time.monotonic()


def first_change(rig: Rig, since: float, colour: str, timeout: float = 3.0) -> Sample:
    """The first light sample showing ``colour`` at or after ``since`` (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [s for s in rig.light_log(since) if s.value == colour]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            shown = ", ".join(f"{x.value}@{x.t - since:+.3f}s" for x in rig.light_log(since - 2.0)[-12:])
            pytest.fail(f"the light did not turn {colour} within {timeout} s; changes: {shown}")
        time.sleep(0.005)


@contextmanager
def running_host_app(rig: Rig, records: Path) -> Iterator[HostApp]:
    """The headless host app (journal, pedal driver, probe client) on its own thread."""
    app = HostApp(records, None, rig.pedal_port, rig.probe_port)
    thread = threading.Thread(target=app.run, name="host-app", daemon=True)
    thread.start()
    try:
        assert app.ready.wait(20.0), "host app did not start"
        yield app
    finally:
        app.stop()
        thread.join(5.0)


def journaled_pedal_notes(record_path: Path) -> list[str]:
    """Every pedal note in the record's journal (the journal verified first)."""
    with Journal(record_path / JOURNAL_NAME) as journal:
        journal.verify()
        return [
            str(e.payload["text"])
            for e in journal.events()
            if e.type == "note" and str(e.payload.get("text", "")).startswith("pedal ")
        ]
