"""``make install`` into a throwaway root: the user, the release, the state directory, the unit, uninstall.

Oracles are the files themselves (``/etc/passwd`` fields, ``stat`` modes and owners, symlink targets), the
kernel's own permission checks (``setpriv`` as the service user), and systemd's own tools.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.install.conftest import REPO, installer

pytestmark = pytest.mark.slow
APP = "opt/sonocart"


def passwd_entry(root: Path, user: str) -> list[str]:
    for line in (root / "etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return fields
    raise AssertionError(f"no {user} in {root}/etc/passwd")


def test_the_service_user_is_a_system_account_with_no_login_shell(installed_root: Path) -> None:
    name, _pw, uid, _gid, _gecos, home, shell = passwd_entry(installed_root, "sonocart")
    assert shell == "/usr/sbin/nologin"
    assert home == "/var/lib/sonocart"
    assert 0 < int(uid) < 1000  # a system uid (Debian: 100-999), never root
    groups = {
        g.split(":")[0]: g.split(":")[3].split(",")
        for g in (installed_root / "etc/group").read_text().splitlines()
    }
    for group in ("video", "input", "dialout"):
        assert name in groups[group]


def test_records_live_in_var_lib_sonocart_owned_by_the_service_user_mode_0700(installed_root: Path) -> None:
    uid = int(passwd_entry(installed_root, "sonocart")[2])
    for sub in ("", "records", "keys"):
        st = (installed_root / "var/lib/sonocart" / sub).stat()
        assert stat.S_IMODE(st.st_mode) == 0o700, sub
        assert st.st_uid == uid, sub


def test_the_app_is_a_versioned_virtualenv_with_exactly_the_locked_versions(installed_root: Path) -> None:
    current = installed_root / APP / "current"
    assert os.readlink(current) == "releases/0.1.0"
    release = installed_root / APP / "releases/0.1.0"
    # Scripts name the interpreter as the booted cart sees it, not the build prefix.
    assert (release / "bin/sonocart").read_text().splitlines()[
        0
    ] == "#!/opt/sonocart/releases/0.1.0/bin/python"
    listed = subprocess.run(
        [str(release / "bin/python"), "-m", "pip", "list", "--format=freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    have = {
        re.sub(r"[-_.]+", "-", n).lower(): v for n, _, v in (line.partition("==") for line in listed.split())
    }
    lock = (REPO / "packaging/requirements.lock").read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", lock, flags=re.M))
    assert pins["numpy"] and pins["kivy"] and pins["pyserial"] == "3.5"
    for name, version in pins.items():
        assert have.get(name) == version, name
    assert have["sonocart"] == "0.1.0"
    shipped = {
        c["name"]: c["version"] for c in json.loads((release / "sbom.cdx.json").read_text())["components"]
    }
    assert shipped["numpy"] == pins["numpy"]  # the release says what it contains
    # The release starts: its command line answers from the release's own interpreter.
    run = subprocess.run(
        [str(release / "bin/python"), "-m", "sonocart", "--help"], capture_output=True, text=True
    )
    assert run.returncode == 0 and " update " in run.stdout and " cart " in run.stdout


def test_udev_rules_and_the_enabled_unit_are_installed(installed_root: Path) -> None:
    rules = installed_root / "etc/udev/rules.d/99-sonocart.rules"
    assert rules.read_bytes() == (REPO / "hardware/udev/99-sonocart.rules").read_bytes()
    wants = installed_root / "etc/systemd/system/multi-user.target.wants/sonocart.service"
    assert wants.is_symlink() and os.readlink(wants).endswith("/etc/systemd/system/sonocart.service")


def test_systemd_analyze_verify_passes_on_the_installed_unit_without_a_warning(installed_root: Path) -> None:
    proc = subprocess.run(
        ["systemd-analyze", "verify", f"--root={installed_root}", "sonocart.service"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "" and proc.stdout.strip() == ""


def test_systemd_analyze_verify_fails_when_the_release_is_missing(
    installed_root: Path, tmp_path: Path
) -> None:
    """The oracle can fail: verify checks ExecStart against the root's files."""
    root = tmp_path / "root"
    shutil.copytree(installed_root / "etc", root / "etc", symlinks=True)
    shutil.copytree(installed_root / "usr", root / "usr", symlinks=True)
    proc = subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "sonocart.service"], capture_output=True, text=True
    )
    assert proc.returncode != 0 and "/opt/sonocart/current/bin/sonocart" in proc.stderr


def _as_user(uid: int, gid: int, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--inh-caps=-all", *argv],
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create another user's files and drop to uids")
def test_the_service_user_cannot_read_another_users_files_nor_they_its_records(installed_root: Path) -> None:
    _n, _p, uid, gid, *_ = passwd_entry(installed_root, "sonocart")
    home = installed_root / "home/alice"
    home.mkdir(parents=True, exist_ok=True)
    secret = home / "notes.txt"
    secret.write_text("alice's")
    for path in (home, secret):
        os.chown(path, 1000, 1000)
    home.chmod(0o700)
    secret.chmod(0o600)
    record = installed_root / "var/lib/sonocart/records/r1"
    record.mkdir(exist_ok=True)
    (record / "journal.sqlite").write_text("patient")
    for path in (record, record / "journal.sqlite"):
        os.chown(path, int(uid), int(gid))
    own = _as_user(int(uid), int(gid), "cat", str(record / "journal.sqlite"))  # the control: its own file
    assert own.returncode == 0 and own.stdout == "patient", own.stderr
    alices = _as_user(1000, 1000, "cat", str(secret))  # and alice reads hers: the path is walkable
    assert alices.returncode == 0, alices.stderr
    denied = _as_user(int(uid), int(gid), "cat", str(secret))
    assert denied.returncode != 0 and "Permission denied" in denied.stderr
    other = _as_user(1000, 1000, "cat", str(record / "journal.sqlite"))
    assert other.returncode != 0 and "Permission denied" in other.stderr


def test_uninstall_keeps_records_unless_purged(copied_root: Path) -> None:
    root = copied_root  # its own install took ~15 s more
    assert (root / APP / "current").is_symlink() and passwd_entry(root, "sonocart")
    record = root / "var/lib/sonocart/records/20261201T090000Z-abcdef/journal.sqlite"
    record.parent.mkdir(parents=True)
    record.write_text("kept")
    done = installer("uninstall", "--root", str(root))
    assert done.returncode == 0, done.stderr
    assert not (root / APP).exists()
    assert not (root / "etc/systemd/system/sonocart.service").exists()
    assert not (root / "etc/systemd/system/multi-user.target.wants/sonocart.service").exists()
    assert not (root / "etc/udev/rules.d/99-sonocart.rules").exists()
    assert record.read_text() == "kept"
    assert passwd_entry(root, "sonocart")  # the records' owner stays with them
    purged = installer("uninstall", "--root", str(root), "--purge")
    assert purged.returncode == 0, purged.stderr
    assert not (root / "var/lib/sonocart").exists()
    assert "sonocart:" not in (root / "etc/passwd").read_text()
