"""``make screenshots``: run the end-to-end procedure and the walk over every catalogue procedure on both
cart screens and keep their screenshots (every screen, and each procedure's injection step).

Writes ``docs/screenshots/800x480/*.png`` (with ``14-last.png``, the LAST screen with a reason to end
typed, and ``14-last-end.png``, its list at its end with a 3-line reason beside End LAST, from the shared
screens run's LAST part) and ``docs/screenshots/1280x800/*.png`` (on a private Xvfb), and
beside them ``image-fractions.json``: the fraction of the screen the live image takes at each live moment
and at each procedure's injection step, measured from the widget tree by the scenarios themselves (the
README's closing note quotes them).
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
from sonocart.procedures.catalogue import load_catalogue  # noqa: E402

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
    procedures = load_catalogue().procedures
    with Xvfb(1280, 800) as xvfb:
        env = dict(os.environ, **xvfb.client_env())
        env.pop("WAYLAND_DISPLAY", None)
        for size in SIZES:
            with tempfile.TemporaryDirectory() as tmp:
                art = Path(tmp) / "art"
                _scenario("procedure_scenario.py", size, tmp, "probe", art, "r.json", env, 300)
                dest = out_root / size
                dest.mkdir(parents=True, exist_ok=True)
                for name in KEEP:
                    shutil.copyfile(art / f"{name}.png", dest / f"{name}.png")
                _last(size, tmp, art, env, dest)
                _scenario("catalogue_scenario.py", size, tmp, "probe2", art, "w.json", env, 600)
                injections = sorted(art.glob("inject-*.png"))
                if len(injections) != len(procedures):  # each catalogue procedure's injection step
                    raise SystemExit(f"{size}: {len(injections)} injection screenshots for {len(procedures)}")
                for shot in injections:
                    shutil.copyfile(shot, dest / shot.name)
                first = [
                    sys.executable,
                    str(ROOT / "tests" / "ui" / "first_start_scenario.py"),
                    "--size",
                    size,
                ]
                first += ["--state", f"{tmp}/first", "--artifacts", str(art), "--report", f"{tmp}/f.json"]
                subprocess.run(first, env=env, check=True, timeout=300, stderr=subprocess.DEVNULL)
                if _stopped(Path(tmp) / "f.json"):
                    raise SystemExit(f"first_start_scenario.py {size}: {_stopped(Path(tmp) / 'f.json')}")
                shutil.copyfile(art / "1-first-start.png", dest / "00-first-start.png")  # a new cart's screen
                fractions = _fractions(Path(tmp) / "r.json", Path(tmp) / "w.json")
                (dest / "image-fractions.json").write_text(json.dumps(fractions, indent=1) + "\n")
                least = min(fractions.values())
                print(f"{dest}: {len(KEEP)} screens, {len(injections)} injection steps, image >= {least:.1%}")
    return 0


def _last(size: str, tmp: str, art: Path, env: dict[str, str], dest: Path) -> None:
    """The LAST screen (emergency mode, its plan and prompt) and its list's end (the reason to end on 3
    lines, whole, beside End LAST): the shared screens run's LAST part alone."""
    env = dict(env, SONOCART_SCREENS_PARTS="last")
    _scenario("screens_scenario.py", size, tmp, "probe3", art, "l.json", env, 300)
    part = json.loads((Path(tmp) / "l.json").read_text())["parts"]["last"]
    if not part.get("completed"):
        raise SystemExit(f"screens_scenario.py {size}, LAST: {part.get('error')}\n{part.get('traceback')}")
    shutil.copyfile(art / f"last-{size}" / f"last-{size}.png", dest / "14-last.png")
    shutil.copyfile(art / f"last-{size}" / f"last-end-{size}.png", dest / "14-last-end.png")


def _fractions(procedure: Path, walk: Path) -> dict[str, float]:
    """Image fractions the two scenarios measured: each live moment, and each procedure's injection."""
    r, w = json.loads(procedure.read_text()), json.loads(walk.read_text())
    out = {
        k: round(float(v["image_fraction"]), 4)
        for k, v in r.items()
        if isinstance(v, dict) and "image_fraction" in v
    }
    for proc, seen in sorted(w["procedures"].items()):
        if seen.get("injection"):
            out[f"inject-{proc}"] = round(float(seen["injection"]["image_fraction"]), 4)
    return out


#: A scenario that stopped on an error is run again this many times in all: on a loaded machine the UI
#: driver's touch can find its button still scrolling (tests/ui/driver.py touch, "clipped away").
TRIES = 3


def _scenario(
    script: str, size: str, tmp: str, link: str, art: Path, report: str, env: dict[str, str], timeout: int
) -> None:
    """Run one scenario to its end, each stop printed; after ``TRIES`` stops, fail with the last."""
    cmd = [sys.executable, str(ROOT / "tests" / "ui" / script), "--size", size, "--link", f"{tmp}/{link}"]
    cmd += ["--artifacts", str(art), "--report", f"{tmp}/{report}"]
    for attempt in range(1, TRIES + 1):
        subprocess.run(cmd, env=env, check=True, timeout=timeout, stderr=subprocess.DEVNULL)
        stopped = _stopped(Path(tmp) / report)
        if not stopped:
            return
        print(f"{script} {size}, try {attempt} of {TRIES}: the scenario stopped: {stopped}", file=sys.stderr)
    raise SystemExit(f"{script} {size}: stopped {TRIES} times; the last: {stopped}")


def _stopped(report: Path) -> str:
    """Why a scenario stopped on an error ("" when it completed; it exits 0 with the error in its report)."""
    r = json.loads(report.read_text())
    if "error" in r or not r.get("completed"):
        return f"{r.get('error')}\n{r.get('traceback', '')}"
    return ""


if __name__ == "__main__":
    sys.exit(main())
