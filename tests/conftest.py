"""Shared test setup: import paths for firmware and MicroPython-subset tests."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / "firmware", ROOT / "tests" / "mp"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))
