"""The technician tool: build, flash and verify, with mpremote mocked (pytest-mock) as a board
filesystem and the pedal-link checks made against the simulated board running the same build."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pytest_mock import MockerFixture

from sonocart.cli import main
from sonocart.firmware_tool import flash as fw_flash
from sonocart.firmware_tool.build import Build, build
from sonocart.firmware_tool.verify import mpy_loadable
from sonocart.sim.pedal_board import SimulatedPedalBoard
from sonocart.wire import pedal_codec as pc

VERSION = ("1.2.3+gabc", False, False)
MPY_RP2 = 0x1706  # sys.implementation._mpy of MicroPython 1.2x on rp2 (armv6m, mpy 6.3)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build]:
    root = tmp_path_factory.mktemp("fwtool")
    return build("pico", root, VERSION), build("sim", root, VERSION)


class FakeBoardFs:
    """What mpremote would find on a board: files by path. Drives the simulated board on reset."""

    def __init__(self, sim: SimulatedPedalBoard | None = None, mpy: int = MPY_RP2) -> None:
        self.files: dict[str, bytes] = {}
        self.sim = sim
        self.mpy = mpy
        self.calls: list[list[str]] = []

    def in_maintenance(self) -> bool:
        """The simulated board was asked into maintenance mode (it then stays at the REPL)."""
        return self.sim is not None and any(c.pin == "maintenance" for c in self.sim.pin_log())

    def run(self, cmd: list[str], cwd: Path | None = None, **_: Any) -> subprocess.CompletedProcess[str]:
        assert cmd[1:2] == ["connect"], cmd
        args = cmd[3:]
        self.calls.append(args)
        out = ""
        if self.sim is not None and args[0] == "exec" and not self.in_maintenance():
            # The firmware has Ctrl-C off and speaks only the pedal link: no raw REPL.
            return subprocess.CompletedProcess(cmd, 1, "", "TransportError: could not enter raw repl")
        if args[:3] == ["fs", "cp", "-r"]:
            assert args[-1] == ":" and cwd is not None
            for entry in args[3:-1]:
                src = Path(cwd) / entry
                for f in [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file()):
                    self.files["/" + str(f.relative_to(cwd))] = f.read_bytes()
        elif args[0] == "exec" and "# sonocart:list" in args[1]:
            root = ast.literal_eval(args[1].rsplit("walk(", 1)[1].split(", [])", 1)[0])
            out = json.dumps(sorted(p for p in self.files if p.startswith(root.rstrip("/") + "/"))) + "\n"
        elif args[0] == "exec" and "# sonocart:rmtree" in args[1]:
            root = ast.literal_eval(args[1].rsplit("rm(", 1)[1].split(")", 1)[0])
            self.files = {p: b for p, b in self.files.items() if not p.startswith(root.rstrip("/") + "/")}
            out = "[]\n"
        elif args[0] == "exec" and "# sonocart:hash" in args[1]:
            paths = ast.literal_eval(args[1].split("for p in ", 1)[1].split(":\n", 1)[0])
            got = {p: hashlib.sha256(self.files[p]).hexdigest() if p in self.files else None for p in paths}
            out = json.dumps(got) + "\n"
        elif args[0] == "exec" and "# sonocart:runtime" in args[1]:
            out = json.dumps({"mpy": self.mpy, "version": "1.24.1", "machine": "Raspberry Pi Pico"}) + "\n"
        elif args == ["reset"]:
            if self.sim is not None:
                self.sim.reset(pc.RESET_SOFT)
        else:
            raise AssertionError(f"unexpected mpremote call {args}")
        return subprocess.CompletedProcess(cmd, 0, out, "")


def no_wait(port: str, timeout: float) -> bool:
    return True


def test_pico_build_holds_compiled_modules_the_boot_source_and_no_simulator(
    builds: tuple[Build, Build],
) -> None:
    pico, sim = builds
    assert (
        "main.py" in pico.files
        and "lib/app.mpy" in pico.files
        and "lib/sonocart/wire/pedal_codec.mpy" in pico.files
    )
    assert "lib/board_sim.mpy" not in pico.files and "lib/board_sim.mpy" in sim.files
    assert all(p.endswith(".mpy") for p in pico.files if p != "main.py")
    for rel, digest in pico.files.items():
        assert hashlib.sha256((pico.out_dir / rel).read_bytes()).hexdigest() == digest
    manifest = json.loads((pico.out_dir / "manifest.json").read_text())
    assert manifest["schema_hash"] == pc.SCHEMA_HASH and manifest["build_hash"] == sim.build_hash


def test_dirty_build_is_refused_without_force_and_nothing_is_deployed(
    builds: tuple[Build, Build], mocker: MockerFixture, tmp_path: Path
) -> None:
    pico, _ = builds
    dirty = Build(
        pico.target, pico.out_dir, pico.version + ".dirty", pico.build_hash, True, False, pico.files
    )
    run = mocker.patch("sonocart.firmware_tool.mpremote.subprocess.run")
    report = fw_flash.flash(str(tmp_path / "nothing"), fw=dirty, wait_for_port=no_wait)
    assert not report.ok and report.exit_code() == 1
    assert "commit first or pass --force" in report.render()
    run.assert_not_called()


def test_flash_deploys_every_file_verifies_hashes_and_the_running_firmware(
    builds: tuple[Build, Build], mocker: MockerFixture, tmp_path: Path
) -> None:
    pico, sim_fw = builds
    with SimulatedPedalBoard(tmp_path / "pedal", fw=sim_fw).start() as sim:
        fs = FakeBoardFs(sim)
        mocker.patch("sonocart.firmware_tool.mpremote.subprocess.run", side_effect=fs.run)
        report = fw_flash.flash(str(sim.link_path), fw=pico, wait_for_port=no_wait)
        text = report.render()
        assert report.ok, text
        assert set(fs.files) == {"/" + rel for rel in pico.files}
        for name in ("file hashes", "firmware version", "build hash", "message table hash"):
            assert f"[PASS] {name}" in text
        assert fs.calls[-1] == ["reset"]
        assert any(c.pin == "maintenance" for c in sim.pin_log()), "board was not asked into maintenance mode"


def test_verify_names_a_file_that_differs_and_fails(
    builds: tuple[Build, Build], mocker: MockerFixture, tmp_path: Path
) -> None:
    pico, sim_fw = builds
    with SimulatedPedalBoard(tmp_path / "pedal", fw=sim_fw).start() as sim:
        fs = FakeBoardFs(sim)
        fs.files = {"/" + rel: (pico.out_dir / rel).read_bytes() for rel in pico.files}
        fs.files["/lib/link.mpy"] = b"M\x06\x00\x1f tampered"
        mocker.patch("sonocart.firmware_tool.mpremote.subprocess.run", side_effect=fs.run)
        mocker.patch("sonocart.firmware_tool.flash._wait_for_port", return_value=True)
        report = fw_flash.verify(str(sim.link_path), pico)
        assert not report.ok
        assert "[FAIL] file lib/link.mpy" in report.render()


def test_flash_removes_modules_of_an_older_build_and_verify_reports_stale_ones(
    builds: tuple[Build, Build], mocker: MockerFixture, tmp_path: Path
) -> None:
    pico, sim_fw = builds
    with SimulatedPedalBoard(tmp_path / "pedal", fw=sim_fw).start() as sim:
        fs = FakeBoardFs(sim)
        fs.files["/lib/old_module.mpy"] = b"M\x06\x00\x1f old"
        mocker.patch("sonocart.firmware_tool.mpremote.subprocess.run", side_effect=fs.run)
        mocker.patch("sonocart.firmware_tool.flash._wait_for_port", return_value=True)
        assert fw_flash.flash(str(sim.link_path), fw=pico, wait_for_port=no_wait).ok
        assert "/lib/old_module.mpy" not in fs.files
        fs.files["/lib/old_module.mpy"] = b"M\x06\x00\x1f old"
        report = fw_flash.verify(str(sim.link_path), pico)
    assert not report.ok
    assert "[FAIL] no stale modules in /lib: expected none, board has /lib/old_module.mpy" in report.render()


def test_verify_fails_when_the_board_runs_another_version(
    builds: tuple[Build, Build], tmp_path: Path
) -> None:
    pico, _ = builds
    other = build("sim", tmp_path / "other", ("1.2.2+gold", False, False))
    with SimulatedPedalBoard(tmp_path / "pedal", fw=other).start() as sim:
        report = fw_flash.verify(str(sim.link_path), pico, files=False)
    assert not report.ok
    assert "[FAIL] firmware version: expected 1.2.3+gabc, board has 1.2.2+gold" in report.render()


def test_flash_refuses_a_micropython_that_cannot_load_the_build(
    builds: tuple[Build, Build], mocker: MockerFixture, tmp_path: Path
) -> None:
    pico, _ = builds
    fs = FakeBoardFs(None, mpy=0x0005)  # mpy v5: MicroPython 1.18 and older
    mocker.patch("sonocart.firmware_tool.mpremote.subprocess.run", side_effect=fs.run)
    report = fw_flash.flash(str(tmp_path / "absent"), fw=pico, wait_for_port=no_wait)
    assert not report.ok and "[FAIL] MicroPython can load the build" in report.render()
    assert fs.files == {}


def test_mpy_compatibility_follows_version_and_sub_version(builds: tuple[Build, Build]) -> None:
    header = (builds[0].lib_dir / "app.mpy").read_bytes()[:4]
    assert mpy_loadable(MPY_RP2, header)
    assert mpy_loadable(0x0B06, header)
    assert not mpy_loadable(0x0005, header)
    assert not mpy_loadable(MPY_RP2, b"M\x06\x03\x00") or (MPY_RP2 >> 8) & 3 >= 3


def test_cli_info_reports_the_attached_board(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fw = build("sim", tmp_path / "fw")  # versioned like the pico build `info` compares with
    with SimulatedPedalBoard(tmp_path / "pedal", fw=fw).start() as sim:
        code = main(["firmware", "info", "--port", str(sim.link_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "board id sim-0001" in out and "last reset: power_on" in out and "RESULT: OK" in out


def test_cli_info_without_a_board_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["firmware", "info", "--port", str(tmp_path / "no-such-port")])
    out = capsys.readouterr().out
    assert code == 1 and "[FAIL] pedal link" in out and "not connected" in out
