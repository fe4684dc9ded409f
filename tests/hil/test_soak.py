"""The short CI soak: random taps and link faults on the simulated devices; nothing lost or doubled.

``make soak MINUTES=N`` runs the same soak for longer (python -m tools.rig.soak).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.rig.report import write_report
from tools.rig.soak import run_soak

from .conftest import ROOT, Recorder

CI_SOAK_S = float(os.environ.get("SONOCART_CI_SOAK_S", "40"))


@pytest.mark.slow
@pytest.mark.timeout(CI_SOAK_S + 180)
def test_short_soak_with_random_taps_and_link_faults_loses_and_doubles_nothing(
    tmp_path: Path, figures: Recorder
) -> None:
    result = run_soak(CI_SOAK_S, tmp_path, seed=int(os.environ.get("SONOCART_SOAK_SEED", "7")))
    write_report(
        result.figures(), ROOT / "artifacts" / "soak-ci-report.md", "Sonocart CI soak", {"pass": result.ok}
    )
    for f in result.figures():
        figures(f"soak: {f.name}", f.value, f.unit, f.limit, f.n)
    assert result.taps >= 10 and sum(result.faults.values()) >= 5, (result.taps, result.faults)
    assert result.unaccounted == 0  # every tap acted on once or reported lost by the board
    assert result.pedal_events_lost == result.board_reported_lost == 0  # and in a short soak, none lost
    assert result.pedal_events_doubled == 0
    assert result.journal_lost == 0
    assert result.pedal_events_journaled == result.pedal_events_expected == result.taps
    assert result.frames > 0
