"""Hostile files through the commands: one clear line and a non-zero exit, never a traceback; frame
files bounded before anything is decompressed; a closed pipe is not an error."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sonocart.cli import main
from sonocart.imaging import frame_file
from sonocart.imaging.frame_file import FrameFileError
from sonocart.imaging.geometry import Geometry
from sonocart.scripted.script import ScriptError, load_script

GEOMETRY = '{"kind": "linear", "depth_start_mm": 0, "depth_end_mm": 40, "width_mm": 38}'


def npy_bytes(shape_text: str, dtype: str = "|u1", body: bytes = b"") -> bytes:
    """A .npy member packed by hand: magic, v1.0 header (padded to 64), then ``body``."""
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape_text}, }}".encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + body


def npz(path: Path, members: dict[str, bytes], compress: bool = False) -> Path:
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", mode) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def geometry_npy(text: str) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.array(text))
    return buf.getvalue()


def hostile_frame_files(tmp: Path) -> dict[str, Path]:
    good_lines = np.full((16, 64), 9, dtype=np.uint8)
    buf = io.BytesIO()
    np.save(buf, good_lines)
    lines = buf.getvalue()
    nan_iq = io.BytesIO()
    np.save(nan_iq, np.full((16, 64), complex(np.nan, 0), dtype=np.complex64))
    (tmp / "empty.npz").write_bytes(b"")
    np.save(tmp / "plain.npy", good_lines)
    return {
        "empty": tmp / "empty.npz",
        "plain npy": tmp / "plain.npy",
        "non-numeric geometry": npz(
            tmp / "g.npz",
            {"lines.npy": lines, "geometry.npy": geometry_npy(GEOMETRY.replace("40", '"deep"'))},
        ),
        "nan geometry": npz(
            tmp / "n.npz", {"lines.npy": lines, "geometry.npy": geometry_npy(GEOMETRY.replace("40", "NaN"))}
        ),
        "nested geometry": npz(
            tmp / "r.npz", {"lines.npy": lines, "geometry.npy": geometry_npy("[" * 100_000)}
        ),
        "header larger than memory": npz(
            tmp / "h.npz",
            {"lines.npy": npy_bytes("(1000000000, 1000000000)"), "geometry.npy": geometry_npy(GEOMETRY)},
        ),
        "inflates past the cap": npz(
            tmp / "b.npz",
            {
                "lines.npy": npy_bytes("(10240, 14000)") + bytes(10240 * 14000),
                "geometry.npy": geometry_npy(GEOMETRY),
            },
            compress=True,
        ),
        "short data": npz(
            tmp / "s.npz",
            {"lines.npy": npy_bytes("(16, 64)", body=b"x"), "geometry.npy": geometry_npy(GEOMETRY)},
        ),
        "object array": npz(
            tmp / "o.npz", {"lines.npy": npy_bytes("(2,)", "|O"), "geometry.npy": geometry_npy(GEOMETRY)}
        ),
        "nan iq": npz(
            tmp / "q.npz", {"lines.npy": nan_iq.getvalue(), "geometry.npy": geometry_npy(GEOMETRY)}
        ),
        "2 lines": npz(
            tmp / "t.npz",
            {"lines.npy": npy_bytes("(2, 2)", body=bytes(4)), "geometry.npy": geometry_npy(GEOMETRY)},
        ),
        "zero width": npz(
            tmp / "z.npz",
            {
                "lines.npy": lines,
                "geometry.npy": geometry_npy(GEOMETRY.replace('"width_mm": 38', '"width_mm": 1e-9')),
            },
        ),
    }


def test_every_hostile_frame_file_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = hostile_frame_files(tmp_path)
    assert (tmp_path / "b.npz").stat().st_size < 2 * 1024 * 1024  # a small file that would inflate to 140 MB
    for name, path in files.items():
        code = main(["render", str(path), "-o", str(tmp_path / "out.png")])
        err = capsys.readouterr().err
        assert code != 0, name
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, f"{name}: {err}"
        assert err.startswith("render: "), f"{name}: {err}"


def test_a_good_frame_file_still_renders(tmp_path: Path) -> None:
    frame_file.save(tmp_path / "f.npz", np.full((16, 64), 9, dtype=np.uint8), Geometry.from_json(GEOMETRY))
    assert main(["render", str(tmp_path / "f.npz"), "-o", str(tmp_path / "out.png")]) == 0


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_mutated_frame_file_loads_or_is_refused_never_raises_anything_else(data: st.DataObject) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, lines=np.full((16, 64), 9, dtype=np.uint16), geometry=np.array(GEOMETRY))
    raw = bytearray(buf.getvalue())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    path = Path(f"/tmp/sonocart-hostile-{id(data)}.npz")
    path.write_bytes(bytes(raw[: cut or len(raw)]))
    try:
        f = frame_file.load(path)
        assert f.lines.ndim == 2 and f.lines.nbytes <= frame_file.MAX_LINES_BYTES
    except FrameFileError as exc:
        assert "\n" not in str(exc)
    finally:
        path.unlink()


SCRIPT = """procedure = "femoral_nerve_block"
operator = "dr_ana"
[patient]
name = "DOE^JANE"
id = "MRN1"
birth_date = "19580412"
sex = "F"
"""


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "missing"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (SCRIPT.encode() + b"[[input]]\ntype = 'wait'\nseconds = nan\n", "finite"),
        (SCRIPT.encode() + b"[[input]]\ntype = 'wait'\nseconds = inf\n", "finite"),
        (SCRIPT.encode() + b"[[input]]\ntype = 'capture'\ncolumns = 0\n", "columns"),
        (SCRIPT.encode() + b"[[input]]\ntype = 'capture'\nrows = 'x'\n", "rows"),
        (SCRIPT.encode() + b"[[input]]\ntype = 'aliquot'\nvolume_ml = nan\n", "finite"),
        (SCRIPT.encode() + b"[[input]]\ntype = 'note'\ntext = \"a\\u202eb\"\n", "control or formatting"),
        (b"input = " + b"[" * 5000 + b"]" * 5000 + b"\n" + SCRIPT.encode(), "nested"),
        (b"input = 3\n" + SCRIPT.encode(), "list"),
        (b"input = []\n" + SCRIPT.replace('operator = "dr_ana"', "operator = 7").encode(), "operator"),
    ],
)
def test_a_hostile_script_is_refused_in_one_line_with_a_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes, why: str
) -> None:
    script = tmp_path / "s.toml"
    script.write_bytes(body)
    with pytest.raises(ScriptError, match=why):
        load_script(script)
    code = main(["procedure", "run", "--script", str(script), "--records", str(tmp_path / "rec")])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_script_bytes_load_or_are_refused_with_a_script_error(body: bytes) -> None:
    path = Path(f"/tmp/sonocart-hostile-script-{id(body)}.toml")
    path.write_bytes(SCRIPT.encode() + body)
    try:
        load_script(path)
    except ScriptError as exc:
        assert str(exc)
    finally:
        path.unlink()


def test_status_into_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sonocart", "procedure", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has already gone
    err = proc.stderr.read().decode()
    assert proc.wait(60) in (0, 141)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    out = subprocess.run(
        [sys.executable, "-m", "sonocart", "procedure", "list"], capture_output=True, check=True
    )
    assert json.dumps(out.stdout.decode()).count("femoral") >= 1
