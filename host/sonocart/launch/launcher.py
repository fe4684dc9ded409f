"""``sonocart run``: find or simulate the devices, start the app, clean up everything on exit.

Every child runs in its own process group and is stopped on Ctrl-C, SIGTERM or when the app (or the
headless cart) exits. A simulated device that dies is started again (a dead simulator is a pulled cable:
the app shows NO SIGNAL, then live again), never a reason to close the app; the simulator's pty symlinks
are removed when it stops. The settings file is checked
before anything starts: an invalid one stops here with its message and exit status 2, untouched.
``--demo`` gives the app the demo team only when every device is simulated (a cart wired to a real probe
or pedal board never runs with a known PIN).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sonocart.cart.settings import SettingsError, load_settings
from sonocart.devices.discovery import PROBE_USB_IDS, find_port
from sonocart.devices.pedal import find_pedal_port
from sonocart.journal.private_fs import private_dir
from sonocart.launch.xvfb import Xvfb

#: Children started again when they die (at most once per RESTART_GAP_S each).
RESTARTABLE = frozenset({"probe simulator", "pedal-board simulator"})
RESTART_GAP_S = 1.0


@dataclass
class RunOptions:
    run_dir: Path
    probe: str | None = None
    size: str = "1280x800"
    screenshot_every_s: float = 3.0
    fullscreen: bool = False
    extra_sim_args: list[str] = field(default_factory=list)
    pedal: str | None = None
    site_file: Path | None = None
    #: No window: the same core driven over stdin/stdout (docs/headless.md); messages go to stderr.
    headless: bool = False
    resume: Path | None = None
    status_every_s: float = 1.0
    demo: bool = False

    @property
    def settings_path(self) -> Path:
        return self.run_dir / "settings.json"


class Children:
    """The processes we started, stopped in reverse order."""

    def __init__(self, quiet_stdout: bool = False) -> None:
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._how: dict[str, tuple[list[str], dict[str, str] | None, bool]] = {}
        self.restarts: dict[str, list[float]] = {}
        self.xvfb: Xvfb | None = None  # the private display, when we started one
        #: headless: stdout carries the protocol, so every other child's output goes to stderr
        self.quiet_stdout = quiet_stdout

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, stdin_stdout: bool = False
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in its own session; only the one child given ``stdin_stdout`` shares ours."""
        stdin = None if stdin_stdout else subprocess.DEVNULL
        stdout = sys.stderr if self.quiet_stdout and not stdin_stdout else None
        proc = subprocess.Popen(argv, env=env, start_new_session=True, stdin=stdin, stdout=stdout)
        self.procs.append((name, proc))
        self._how[name] = (argv, env, stdin_stdout)
        return proc

    def restart(self, name: str, now: float) -> subprocess.Popen[bytes]:
        """Start ``name`` again as it was first started; what is left of its process group goes first
        (a pedal-board simulator's MicroPython child outlives a SIGKILLed parent)."""
        for n, p in self.procs:
            if n == name:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(p.pid, signal.SIGKILL)
        self.procs = [(n, p) for n, p in self.procs if n != name]
        self.restarts.setdefault(name, []).append(now)
        argv, env, stdin_stdout = self._how[name]
        return self.start(name, argv, env, stdin_stdout)

    def first_exited(self) -> tuple[str, int] | None:
        for name, proc in self.procs:
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    def stop_all(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_for_path(path: Path, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"simulator exited with {proc.returncode} before creating {path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"simulator did not create {path} within {timeout_s:.0f} s")
        time.sleep(0.05)


def _say(opts: RunOptions, text: str) -> None:
    """Launcher messages: stdout for a person, stderr when stdout carries the headless protocol."""
    print(text, file=sys.stderr if opts.headless else sys.stdout, flush=True)


def _pedal(opts: RunOptions, children: Children) -> list[str]:
    """The pedal board's port, or the real firmware on the unix-port MicroPython as a simulated board."""
    pedal = opts.pedal or find_pedal_port()
    if pedal is not None:
        _say(opts, f"Pedal board: {pedal}")
        return ["--pedal", pedal]
    link, control = opts.run_dir / "pedal", opts.run_dir / "pedal.ctl"
    sim = children.start(
        "pedal-board simulator",
        [sys.executable, "-m", "sonocart.sim.pedal_service", "--link", str(link), "--control", str(control)],
    )
    wait_for_path(link, sim)
    wait_for_path(control, sim)
    _say(
        opts,
        f"No pedal board found: the firmware runs on the unix-port micropython as a simulated board on {link}"
        " (keys A and B, or the on-screen pedal buttons, press its pedals).",
    )
    return ["--pedal", str(link), "--pedal-control", str(control)]


def run(opts: RunOptions) -> int:
    try:
        load_settings(opts.settings_path, demo=False)
    except SettingsError as exc:
        print(f"sonocart: {exc}", file=sys.stderr, flush=True)
        return 2
    # Owner-only for everything this run and its children write (screenshots, Kivy's home and logs, pty
    # links, sockets, temporary files), as the installed unit's UMask=0077 does on the cart.
    os.umask(0o077)
    private_dir(opts.run_dir)
    children = Children(quiet_stdout=opts.headless)
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    old = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    for sig in old:
        signal.signal(sig, _on_signal)
    try:
        probe = opts.probe or find_port(PROBE_USB_IDS)
        probe_args: list[str] = []  # a simulated probe's scene follows the procedure opened
        simulated = probe is None
        if probe is None:
            link, control = opts.run_dir / "probe", opts.run_dir / "probe.ctl"
            argv = [sys.executable, "-m", "sonocart", "sim", "--link", str(link), "--control", str(control)]
            sim = children.start("probe simulator", [*argv, *opts.extra_sim_args])
            wait_for_path(link, sim)
            probe = str(link)
            probe_args = ["--probe-control", str(control)]
            _say(opts, f"No probe interface found: using the simulated probe on {probe}")
        else:
            _say(opts, f"Probe interface: {probe}")
        pedal_args = _pedal(opts, children)
        simulated = simulated and "--pedal-control" in pedal_args
        demo = _demo(opts, simulated)
        if opts.headless:
            argv = _headless_args(opts, probe, pedal_args, demo) + probe_args
            children.start("cart", argv, stdin_stdout=True)
        else:
            _start_app(opts, children, probe, [*pedal_args, *probe_args], demo)
        _say(opts, "Ctrl-C stops everything.")
        while not stopping:
            exited = children.first_exited()
            if exited is not None and exited[0] in RESTARTABLE:
                name, code = exited
                last = children.restarts.get(name, [-RESTART_GAP_S])[-1]
                time.sleep(max(0.0, last + RESTART_GAP_S - time.monotonic()))
                _say(opts, f"{name} exited with status {code}; starting it again (the app stays up).")
                children.restart(name, time.monotonic())
                continue
            if exited is not None:
                name, code = exited
                _say(opts, f"{name} exited with status {code}; stopping.")
                return code if name in ("app", "cart") and code in (0, 2) else 1
            time.sleep(0.2)
        return 0
    finally:
        children.stop_all()
        if children.xvfb is not None:
            children.xvfb.stop()
        for sig, handler in old.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _demo(opts: RunOptions, simulated: bool) -> bool:
    """The demo team only on simulated devices, and only when asked for; either way it is said."""
    if opts.demo and simulated:
        _say(opts, "Demo: simulated devices, so an empty roster gets the demo team (PIN 1234).")
        return True
    if opts.demo:
        _say(opts, "--demo ignored: a real device is attached; the demo team is for simulated devices only.")
    return False


def _headless_args(opts: RunOptions, probe: str, pedal_args: list[str], demo: bool) -> list[str]:
    pedal = pedal_args[1:2]  # the port only: no on-screen keys without a screen
    args = [sys.executable, "-m", "sonocart.cart.headless", "--probe", probe]
    args += ["--pedal", *pedal] if pedal else []
    args += ["--records", str(opts.run_dir / "records"), "--settings", str(opts.run_dir / "settings.json")]
    args += ["--status-every", str(opts.status_every_s)]
    args += ["--demo"] if demo else []
    if opts.site_file is not None:
        args += ["--site-file", str(opts.site_file)]
    if opts.resume is not None:
        args += ["--resume", str(opts.resume)]
    return args


def _start_app(opts: RunOptions, children: Children, probe: str, pedal_args: list[str], demo: bool) -> None:
    env = dict(os.environ)
    ui_args = [sys.executable, "-m", "sonocart_ui", "--probe", probe, "--size", opts.size, *pedal_args]
    ui_args += [
        "--records",
        str(opts.run_dir / "records"),
        "--settings",
        str(opts.settings_path),
    ]
    if demo:
        ui_args.append("--demo")
    if opts.site_file is not None:
        ui_args += ["--site-file", str(opts.site_file)]
    if opts.fullscreen:
        ui_args.append("--fullscreen")
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        w, h = (int(v) for v in opts.size.split("x"))
        xvfb = children.xvfb = Xvfb(w, h)
        xvfb.start()
        env.update(xvfb.client_env())  # DISPLAY and the private cookie's XAUTHORITY
        shot = (opts.run_dir / "screen.png").resolve()
        ui_args += ["--screenshot", str(shot), "--screenshot-every", str(opts.screenshot_every_s)]
        print(f"No display: running on a virtual display {env['DISPLAY']}.", flush=True)
        print(f"Screenshot refreshed every {opts.screenshot_every_s:g} s: {shot}", flush=True)
    children.start("app", ui_args, env)
