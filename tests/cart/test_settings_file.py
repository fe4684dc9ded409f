"""Settings are data never lost: a bad file stops start-up, named by file and field, and stays as it was."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sonocart.cart.settings import Operator, SettingsError, UiSettings, hash_pin, load_settings

REPO = Path(__file__).resolve().parents[2]
GOOD_HASH = "00112233aabbccdd$" + "0" * 64


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"idle_lock_s": 120,', "not valid JSON (line 1 column 21"),  # just past its 20 characters
        (b"\xff\xfe not text", "not UTF-8 text"),
        (b"[1, 2]", "holds a JSON list, not a settings object"),
        (b'{"idle_lock_s": 5}', "idle_lock_s = 5 is out of range 10..3600 s"),
        (b'{"idle_lock_s": NaN}', "idle_lock_s = nan is not a number"),
        (b'{"idle_lock_s": "120"}', "idle_lock_s = '120' is not a number"),
        (b'{"idle_lock_s": true}', "idle_lock_s = True is not a number"),
        (b'{"aliquot_ml": 80}', "aliquot_ml = 80 is out of range 0.5..50 mL"),
        (b'{"idel_lock_s": 60}', "idel_lock_s is not a known setting"),
        (b'{"pacs": {"hots": "pacs.local"}}', "pacs.hots is not a known setting"),
        (b'{"pacs": {"port": "4242"}}', "pacs.port = '4242' is not a whole number"),
        (b'{"pacs": {"port": 70000}}', "pacs.port = 70000 is out of range 1..65535"),
        (b'{"pacs": {"called_aet": "A_TITLE_LONGER_THAN_16"}}', "pacs.called_aet"),
        (b'{"pedal_map": {"sterile": {"A tap": "fire"}}}', "pedal_map.sterile.A tap = 'fire' is not one of"),
        (b'{"pedal_map": {"steril": {}}}', "pedal_map.steril is not a known setting"),
        (b'{"screen_size": "big"}', "screen_size = 'big' is not in the expected form"),
        (b'{"operators": {"dr_ana": "1234"}}', "operators is not a list"),
        (
            b'{"operators": [{"id": "dr_ana", "name": "Dr Ana", "pin": "1234"}]}',
            "operators[0].pin is not a known",
        ),
        (b'{"operators": [{"id": "dr_ana", "name": "Dr Ana", "pin_hash": "1234"}]}', "pin_hash = '1234'"),
        (
            json.dumps({"operators": [{"id": "a", "name": n, "pin_hash": GOOD_HASH} for n in "AB"]}).encode(),
            "operators[1].id = 'a' is used twice",
        ),
    ],
)
def test_an_invalid_settings_file_is_refused_by_file_and_field_and_left_byte_identical(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "run" / "settings.json"
    path.parent.mkdir()
    path.write_bytes(content)
    os.chmod(path, 0o640)
    before = path.stat()
    with pytest.raises(SettingsError) as err:
        load_settings(path, demo=True)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)
    assert path.read_bytes() == content
    after = path.stat()
    assert (after.st_mtime_ns, stat.S_IMODE(after.st_mode)) == (before.st_mtime_ns, 0o640)
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]  # no temporary left


def test_an_unreadable_settings_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()  # a directory where the file should be: reading it fails
    with pytest.raises(SettingsError, match=f"{path}: cannot be read"):
        load_settings(path, demo=False)


def test_a_missing_file_gives_the_defaults_with_an_empty_roster_and_demo_only_when_asked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    plain = load_settings(path, demo=False)
    assert plain == UiSettings() and plain.operators == [] and not plain.demo
    demo = load_settings(path, demo=True)
    assert demo.demo and [o.id for o in demo.operators] == ["dr_ana", "rn_ben", "odp_cy"]
    assert demo.check_pin("odp_cy", "1234") and not demo.check_pin("odp_cy", "0000")
    assert not path.exists()  # loading never writes


def test_demo_never_replaces_a_real_roster_and_the_demo_team_is_never_saved(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    UiSettings(operators=[Operator("dr_zed", "Dr Zed", hash_pin("9876"))]).save(path)
    real = load_settings(path, demo=True)
    assert [o.id for o in real.operators] == ["dr_zed"] and not real.demo
    other = tmp_path / "demo.json"
    demo = load_settings(other, demo=True)
    demo.idle_lock_s = 300.0
    demo.save(other)
    assert json.loads(other.read_text())["operators"] == []
    again = load_settings(other, demo=False)
    assert again.idle_lock_s == 300.0 and again.operators == []


def test_saved_settings_are_private_and_load_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = UiSettings(operators=[Operator("rn_ben", "RN Ben", hash_pin("2468"))], idle_lock_s=60.0)
    settings.pacs.port = 11112
    settings.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(path, demo=False) == settings


def test_an_invalid_edit_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    UiSettings().save(path)
    before = path.read_bytes()
    bad = UiSettings(idle_lock_s=5.0)
    with pytest.raises(SettingsError, match="idle_lock_s = 5 is out of range"):
        bad.save(path)
    assert path.read_bytes() == before


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("entry", ["app", "run"])
def test_start_up_with_an_invalid_settings_file_exits_2_with_the_message_and_no_traceback(
    tmp_path: Path, entry: str
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    path = run_dir / "settings.json"
    content = b'{"idle_lock_s": 5, "operators": []}\n'
    path.write_bytes(content)
    if entry == "app":
        argv = [
            sys.executable,
            "-m",
            "sonocart_ui",
            "--probe",
            str(tmp_path / "none"),
            "--settings",
            str(path),
        ]
    else:
        argv = [sys.executable, "-m", "sonocart", "run", "--run-dir", str(run_dir), "--demo"]
    proc = _run(argv, tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip() == f"sonocart: {path}: idle_lock_s = 5 is out of range 10..3600 s"
    assert "Traceback" not in proc.stdout + proc.stderr
    assert path.read_bytes() == content
    assert sorted(p.name for p in run_dir.iterdir()) == ["settings.json"]  # nothing started, nothing written
