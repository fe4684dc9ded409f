"""The hostile-input tests use the procedure tests' fixtures (shipped catalogue, manual clock, records)."""

from __future__ import annotations

import sys
from pathlib import Path

# tests/procedures/conftest.py imports its drivers as a top-level module, as pytest's rootdir mode allows.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "procedures"))

from tests.procedures.conftest import catalogue, clock, new_record  # after the path above

__all__ = ["catalogue", "clock", "new_record"]
