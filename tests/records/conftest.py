"""Record fixtures: finished scripted records, and a real Orthanc PACS on 127.0.0.1 for the send queue."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import load_catalogue
from sonocart.records.record import ProcedureRecord
from sonocart.scripted import runner
from sonocart.scripted.runner import run_script
from sonocart.scripted.script import load_script
from tests.conftest import demo_team

EXAMPLE = Path(__file__).resolve().parents[2] / "host/sonocart/procedures/examples/femoral_block.toml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def finished_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProcedureRecord]:
    """The example femoral block scripted to its end; the script's demo team hashed once per session
    (the same hashes at the real cost, copied for each record)."""
    monkeypatch.setattr(runner, "demo_operators", demo_team)
    record = run_script(
        load_script(EXAMPLE), tmp_path / "records", load_catalogue(), ManualClock(wall=1_800_000_000.0)
    )
    yield record
    record.close()


@dataclass
class Orthanc:
    dicom_port: int
    http_port: int
    aet: str = "ORTHANC"

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=5) as resp:
            return json.loads(resp.read())

    def sop_instance_uids(self) -> set[str]:
        return {self.get(f"/instances/{i}/simplified-tags")["SOPInstanceUID"] for i in self.get("/instances")}


def start_orthanc(workdir: Path, dicom_port: int, http_port: int) -> subprocess.Popen[bytes]:
    orthanc = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
    storage = workdir / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    config = workdir / "orthanc.json"
    config.write_text(
        json.dumps(
            {
                "Name": "sonocart-test",
                "StorageDirectory": str(storage),
                "IndexDirectory": str(storage),
                "DicomAet": "ORTHANC",
                "DicomPort": dicom_port,
                "HttpPort": http_port,
                "RemoteAccessAllowed": False,
                "AuthenticationEnabled": False,
                "DicomCheckCalledAet": True,
                "DicomAlwaysAllowStore": True,
                "Plugins": [],
                "StableAge": 1,
            }
        )
    )
    proc = subprocess.Popen([orthanc, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/system", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("Orthanc did not start")


@pytest.fixture
def orthanc_ports() -> tuple[int, int]:
    return free_port(), free_port()


@pytest.fixture
def orthanc_factory(tmp_path: Path, orthanc_ports: tuple[int, int]) -> Iterator[Any]:
    """Start (and restart) a real Orthanc on fixed free ports; everything started is stopped at teardown."""
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> Orthanc:
        procs.append(start_orthanc(tmp_path / "orthanc", *orthanc_ports))
        return Orthanc(*orthanc_ports)

    yield start
    # Killed, not asked to stop: Orthanc's graceful stop waits about 3.5 s on its DICOM server's threads,
    # and this PACS and its storage (under tmp_path) are thrown away; every test has read what it needs.
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
