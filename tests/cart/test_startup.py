"""Start-up refuses a bad site file with one line and exit 2, before any device or window is opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["sonocart.cart.headless", "sonocart_ui"])
def test_a_site_file_with_an_unknown_key_stops_start_up_with_one_line(module: str, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[procedures.femoral_nerve_block]\nno_such_setting = 3\n")
    argv = [sys.executable, "-m", module, "--probe", str(tmp_path / "none"), "--site-file", str(site)]
    argv += ["--settings", str(tmp_path / "s.json")]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            module,
            "--probe",
            str(tmp_path / "none"),
            "--settings",
            str(tmp_path / "s.json"),
            "--site-file",
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sonocart: ") and "site.toml" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "s.json").exists()
