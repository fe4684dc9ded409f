"""``make screenshots``: run the end-to-end procedure and the walk over every catalogue procedure on both
cart screens and keep their screenshots (every screen, and each procedure's injection step).

Writes ``docs/screenshots/800x480/*.png`` and ``docs/screenshots/1280x800/*.png`` (on a private Xvfb).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sonocart.launch.xvfb import Xvfb  # noqa: E402

SIZES = ("800x480", "1280x800")
KEEP = (
    "01-start",
    "02-sign-in-team",
    "03-sign-in-weight",
    "04-time-out-medications",
    "05-live-prep",
    "05-live-stop",
    "06-live-frozen-calipers",
    "07-live-prompt",
    "07-live-prompt-short",
    "08-sign-out",
    "09-observation-prompt",
    "10-alarms",
    "11-summary",
    "12-lock",
    "13-settings",
)


def main() -> int:
    out_root = ROOT / "docs" / "screenshots"
    with Xvfb(1280, 800) as xvfb:
        env = dict(os.environ, **xvfb.client_env())
        env.pop("WAYLAND_DISPLAY", None)
        for size in SIZES:
            with tempfile.TemporaryDirectory() as tmp:
                art = Path(tmp) / "art"
                cmd = [sys.executable, str(ROOT / "tests" / "ui" / "procedure_scenario.py"), "--size", size]
                cmd += ["--link", f"{tmp}/probe", "--artifacts", str(art), "--report", f"{tmp}/r.json"]
                subprocess.run(cmd, env=env, check=True, timeout=300, stderr=subprocess.DEVNULL)
                _completed(Path(tmp) / "r.json")
                dest = out_root / size
                dest.mkdir(parents=True, exist_ok=True)
                for name in KEEP:
                    shutil.copyfile(art / f"{name}.png", dest / f"{name}.png")
                walk = [sys.executable, str(ROOT / "tests" / "ui" / "catalogue_scenario.py"), "--size", size]
                walk += ["--link", f"{tmp}/probe2", "--artifacts", str(art), "--report", f"{tmp}/w.json"]
                subprocess.run(walk, env=env, check=True, timeout=600, stderr=subprocess.DEVNULL)
                _completed(Path(tmp) / "w.json")
                injections = sorted(art.glob("inject-*.png"))
                for shot in injections:
                    shutil.copyfile(shot, dest / shot.name)
                print(f"{dest}: {len(KEEP)} screens, {len(injections)} injection steps")
    return 0


def _completed(report: Path) -> None:
    """A scenario that stopped on an error says so (it exits 0 with the error in its report)."""
    r = json.loads(report.read_text())
    if "error" in r or not r.get("completed"):
        raise SystemExit(f"{report.name}: the scenario stopped: {r.get('error')}\n{r.get('traceback', '')}")


if __name__ == "__main__":
    sys.exit(main())
