"""Fixtures for the procedure engine: the shipped catalogue, a manual clock, fresh records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from procedure_drivers import PATIENT

from sonocart.clock import ManualClock
from sonocart.procedures.catalogue import Catalogue, load_catalogue
from sonocart.records.record import ProcedureRecord


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(wall=1_800_000_000.0, monotonic=500.0)


@pytest.fixture
def new_record(
    tmp_path: Path, catalogue: Catalogue, clock: ManualClock
) -> Iterator[Callable[..., ProcedureRecord]]:
    made: list[ProcedureRecord] = []

    def make(
        procedure: str = "femoral_nerve_block", patient: dict[str, Any] | None = None
    ) -> ProcedureRecord:
        rec = ProcedureRecord.create(
            tmp_path / "records", catalogue, clock, procedure, patient or PATIENT, "dr_ana"
        )
        made.append(rec)
        return rec

    yield make
    for rec in made:
        rec.close()
