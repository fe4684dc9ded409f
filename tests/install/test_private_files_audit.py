"""An audit of everything the cart writes, run under the everyday umask 022: records, captures, exports
(identified, de-identified, into a new --out folder), settings with PIN hashes, the cart key, the headless
launcher's screenshots, pty links and control sockets, Kivy's logs and config, and temporary files. Every
file must be 0600 and every folder 0700 — nothing readable by another local user; nothing left in TMPDIR.

The oracle is the file system's own modes (``os.lstat``), read after the processes ended. The one
exception is checked, not assumed: Kivy copies its stock window icons into ``$KIVY_HOME/icon`` with the
package's own modes (``shutil.copytree`` keeps 0644 whatever the umask); each such file must be
byte-identical to the icon shipped in the kivy package (public files, no PHI, no credential)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import kivy
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "host/sonocart/procedures/examples/femoral_block.toml"


def umask_022() -> None:
    os.umask(0o022)


def cart_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY")}
    env.update(
        HOME=str(root / "home"),
        TMPDIR=str(root / "tmp"),
        KIVY_HOME=str(root / "kivy"),
        SONOCART_KEY_DIR=str(root / "keys"),
        SONOCART_RECORDS=str(root / "records"),
    )
    env.pop("XDG_STATE_HOME", None)
    return env


def sonocart(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "sonocart", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=umask_022,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def run_headless_launcher(env: dict[str, str], run_dir: Path) -> None:
    """``sonocart run`` without a display: simulators, the app on a private Xvfb, refreshed screenshots."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sonocart", "run", "--run-dir", str(run_dir), "--screenshot-every", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=umask_022,
    )
    shot = run_dir / "screen.png"
    try:
        deadline = time.monotonic() + 90
        while not shot.exists():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "no screenshot within 90 s"
            time.sleep(0.1)
        first = shot.stat().st_mtime_ns
        while shot.stat().st_mtime_ns == first:  # a refresh: the replace-into-place path ran too
            assert time.monotonic() < deadline + 20, "screenshot not refreshed"
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output[-3000:]


KIVY_LOGOS = Path(kivy.__file__).parent / "data" / "logo"


def kivy_stock_icon(path: Path) -> bool:
    """True for Kivy's own icon copied into KIVY_HOME/icon (or that folder itself), byte for byte."""
    if path.parent.name == "kivy" and path.name == "icon" and path.is_dir():
        return True
    stock = KIVY_LOGOS / path.name
    return path.parent.name == "icon" and stock.is_file() and stock.read_bytes() == path.read_bytes()


def loose(root: Path) -> list[str]:
    """Every path under ``root`` another local user could read, list or use (Kivy's stock icons aside)."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                continue  # pty links: the pty itself is the owner's (0620, group tty, never others)
            mode = stat.S_IMODE(st.st_mode)
            want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
            if stat.S_ISSOCK(st.st_mode):
                want = mode & 0o700  # a socket's own bits matter less than its 0700 folder
            if mode != want and not kivy_stock_icon(path):
                found.append(f"{path.relative_to(root)} {mode:o}")
    return found


@pytest.mark.ui
@pytest.mark.timeout(400)
def test_everything_the_cart_writes_is_owner_only_under_umask_022(tmp_path: Path) -> None:
    root = tmp_path / "cart"
    for sub in ("", "home", "tmp"):
        (root / sub).mkdir(mode=0o700, exist_ok=True)
        (root / sub).chmod(0o700)
    env = cart_env(root)

    # settings with a PIN hash, written the way the cart writes them
    code = (
        "import sys; from pathlib import Path\n"
        "from sonocart.cart.settings import Operator, hash_pin, load_settings\n"
        "p = Path(sys.argv[1]); s = load_settings(p, demo=False)\n"
        "s.operators.append(Operator('dr_ana', 'Dr Ana', hash_pin('735911'))); s.save(p)\n"
    )
    settings = root / "state" / "settings.json"
    subprocess.run(
        [sys.executable, "-c", code, str(settings)], env=env, check=True, preexec_fn=umask_022, timeout=60
    )

    # a whole scripted procedure (journal, head, captures), then exports of each kind
    sonocart(env, "procedure", "run", "--script", str(EXAMPLE), "--records", str(root / "records"))
    (record,) = [p for p in (root / "records").iterdir() if p.is_dir()]
    sonocart(env, "export", str(record), "--operator", "dr_ana")
    sonocart(env, "export", str(record), "--operator", "dr_ana", "--deidentify")
    sonocart(env, "export", str(record), "--operator", "dr_ana", "--out", str(root / "usb" / "export"))

    # the launcher: pty links, simulator control sockets, Kivy's home and logs, screenshots on Xvfb
    run_headless_launcher(env, root / "run")

    assert (root / "run" / "screen.png").is_file() and (root / "keys" / "cart.key").is_file()
    assert any((root / "kivy").rglob("*.txt")) or any((root / "kivy").rglob("*.ini"))  # Kivy wrote its files
    assert loose(root) == []
    assert list((root / "tmp").iterdir()) == []  # no temporary file left behind
