"""The shared run of screens_scenario.py (pytest side): one launch of the real app per size serves the
summary, settings, toast and reach tests, the LAST test at 800x480 and the live view's at 1280x800, each
of which asserts on its own part of the report.

A run is made the first time a test asks for its size and kept for the session; a crash, a time-out or
a part that raised is kept too and fails each test it concerns with what happened (never a skip): the
crash every test of that size, a part that raised its own test, and the parts it kept from running
theirs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.records.conftest import Orthanc, free_port, start_orthanc

SCENARIO = Path(__file__).with_name("screens_scenario.py")
TIMEOUT_S = 300.0


@dataclass
class ScreensRun:
    size: str
    report: dict[str, Any] = field(default_factory=dict)
    #: Why the run has no complete report (its process died, hung or raised outside any part); "" if none.
    crashed: str = ""
    #: The SOP instance UIDs the real Orthanc of the summary part held at the run's end.
    pacs_uids: set[str] = field(default_factory=set)

    def part(self, name: str) -> dict[str, Any]:
        """The looks of part ``name``; fails (saying what happened) unless the run and that part completed."""
        assert not self.crashed, f"the shared screens run at {self.size} crashed: {self.crashed}"
        section: dict[str, Any] = self.report["parts"][name]
        assert "error" not in section and section.get("completed"), (
            f"part {name!r} of the shared screens run at {self.size}",
            section.get("error"),
            section.get("traceback"),
        )
        return section


class ScreensRuns:
    """``runs(size)``: that size's shared run, made on first use."""

    def __init__(self, env: dict[str, str], tmp: Path, artifacts: Path) -> None:
        self.env, self.tmp, self.artifacts = env, tmp, artifacts
        self._runs: dict[str, ScreensRun] = {}

    def __call__(self, size: str) -> ScreensRun:
        if size not in self._runs:
            self._runs[size] = self._run(size)
        return self._runs[size]

    def _run(self, size: str) -> ScreensRun:
        run = ScreensRun(size)
        tmp = self.tmp / f"screens-{size}"
        tmp.mkdir(parents=True)
        dicom_port, http_port = free_port(), free_port()
        orthanc = start_orthanc(tmp / "orthanc", dicom_port, http_port)
        try:
            env = dict(
                self.env, SONOCART_TEST_PACS_DOWN=str(free_port()), SONOCART_TEST_PACS_UP=str(dicom_port)
            )
            report_path = tmp / "report.json"
            args = [
                "--link",
                str(tmp / "probe"),
                "--artifacts",
                str(self.artifacts),
                "--report",
                str(report_path),
            ]
            try:
                proc = subprocess.run(
                    [sys.executable, str(SCENARIO), *args, "--size", size],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_S,
                )
            except subprocess.TimeoutExpired as exc:
                run.crashed = f"no end after {TIMEOUT_S:.0f} s: {str(exc.stderr or '')[-3000:]}"
                return run
            if not report_path.exists():
                run.crashed = (
                    f"no report (exit {proc.returncode}): {proc.stdout[-3000:]}{proc.stderr[-3000:]}"
                )
                return run
            run.report = json.loads(report_path.read_text())
            (self.artifacts / f"screens-{size}.json").write_text(json.dumps(run.report, indent=1))
            if "error" in run.report or not run.report.get("completed"):
                run.crashed = f"{run.report.get('error')}\n{run.report.get('traceback')}"
            run.pacs_uids = Orthanc(dicom_port, http_port).sop_instance_uids()
        finally:
            # killed, not asked to stop (its graceful stop waits ~3.5 s); read above, thrown away now
            orthanc.kill()
            orthanc.wait(timeout=10)
        return run
