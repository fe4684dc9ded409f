"""``sonocart firmware``: build, flash and verify the pedal-board firmware; run it as a simulated board."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from sonocart.devices.pedal import DEFAULT_PORT, find_pedal_port
from sonocart.firmware_tool import flash as fw_flash
from sonocart.firmware_tool import pinmap
from sonocart.firmware_tool.build import TARGETS, BuildError, build
from sonocart.firmware_tool.paths import BUILD_DIR, FIRMWARE_DIR, HARDWARE_DIR


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("firmware", help="pedal-board firmware: info, flash, verify, build, sim")
    fsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def with_port(q: argparse.ArgumentParser) -> argparse.ArgumentParser:
        q.add_argument("--port", help="serial port (default: found by USB VID:PID, else /dev/sonocart-pedal)")
        return q

    q = with_port(fsub.add_parser("info", help="what the attached board runs (over the pedal link)"))
    q.set_defaults(func=_info)
    q = with_port(fsub.add_parser("flash", help="build, deploy with mpremote, verify"))
    q.add_argument("--force", action="store_true", help="flash even an unversioned or dirty build")
    q.set_defaults(func=_flash)
    q = with_port(fsub.add_parser("verify", help="board files and running firmware equal the local build"))
    q.add_argument("--link-only", action="store_true", help="skip the file hashes (no REPL access needed)")
    q.set_defaults(func=_verify)
    q = fsub.add_parser("build", help="compile with mpy-cross into build/firmware/<target>")
    q.add_argument("--target", choices=TARGETS, default="pico")
    q.set_defaults(func=_build)
    q = fsub.add_parser("sim", help="run the firmware on the MicroPython unix port as a simulated board")
    q.add_argument("--link", type=Path, default=Path("run/pedal"), help="pty symlink (default: run/pedal)")
    q.add_argument(
        "--control", type=Path, default=Path("run/pedal.ctl"), help="control socket (line protocol)"
    )
    q.set_defaults(func=_sim)
    q = fsub.add_parser(
        "pinmap", help="regenerate firmware/pinmap.py and the docs table from hardware/pinmap.json"
    )
    q.set_defaults(func=_pinmap)


def resolve_port(port: str | None) -> str:
    if port:
        return port
    return find_pedal_port() or DEFAULT_PORT


def _info(args: argparse.Namespace) -> int:
    port = resolve_port(args.port)
    report = fw_flash.info(port, build("pico"))
    print(report.render())
    return report.exit_code()


def _flash(args: argparse.Namespace) -> int:
    port = resolve_port(args.port)
    try:
        report = fw_flash.flash(port, force=args.force)
    except BuildError as exc:
        print(f"build failed: {exc}")
        return 2
    print(report.render())
    return report.exit_code()


def _verify(args: argparse.Namespace) -> int:
    port = resolve_port(args.port)
    report = fw_flash.verify(port, build("pico"), files=not args.link_only)
    print(report.render())
    return report.exit_code()


def _build(args: argparse.Namespace) -> int:
    try:
        fw = build(args.target, BUILD_DIR)
    except BuildError as exc:
        print(f"build failed: {exc}")
        return 2
    print(json.dumps({k: v for k, v in fw.manifest().items() if k != "files"}, indent=1))
    print(f"{len(fw.files)} files in {fw.out_dir}")
    return 0


def _sim(args: argparse.Namespace) -> int:
    from sonocart.sim.pedal_board import start_simulated_board

    board = start_simulated_board(args.link, args.control)
    print(f"simulated pedal board on {args.link}; control socket {args.control}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        board.stop()
    return 0


def _pinmap(args: argparse.Namespace) -> int:
    data = pinmap.load()
    (FIRMWARE_DIR / "pinmap.py").write_text(pinmap.render_python(data))
    doc = HARDWARE_DIR / "README.md"
    doc.write_text(pinmap.splice_markdown(doc.read_text(), pinmap.render_markdown(data)))
    print(f"wrote {FIRMWARE_DIR / 'pinmap.py'} and the pin table in {doc}")
    return 0
