"""Layers talk one way: read every module's imports with ``ast`` and refuse any arrow running back up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "host" / "sonocart"


def imports_of(path: Path, package: str) -> set[str]:
    """Every module name ``path`` (in ``package``) imports; relative imports resolved against it."""
    tree = ast.parse(path.read_text(), str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
                out |= {base} if node.module else {f"{base}.{a.name}" for a in node.names}
            elif node.module:
                out.add(node.module)
    return out


def package_of(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts[:-1])


def modules(package: Path) -> list[Path]:
    return sorted(package.rglob("*.py"))


def _offenders(package: Path, forbidden: tuple[str, ...], root: Path = ROOT / "host") -> list[str]:
    bad = []
    for path in modules(package):
        for name in sorted(imports_of(path, package_of(path, root))):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(root)} imports {name}")
    return bad


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("", ("kivy", "sonocart_ui", "tools", "tests")),  # the core never imports the view or tooling
        ("journal", ("sonocart.procedures", "sonocart.records", "sonocart.cart", "sonocart.devices")),
        ("procedures", ("sonocart.records", "sonocart.cart", "sonocart.devices", "sonocart.scripted")),
        ("records", ("sonocart.cart", "sonocart.scripted", "sonocart.devices")),
        ("imaging", ("sonocart.procedures", "sonocart.records", "sonocart.cart", "sonocart.devices")),
        ("wire", ("sonocart.devices", "sonocart.cart", "sonocart.procedures", "sonocart.records")),
        ("devices", ("sonocart.cart", "sonocart.procedures", "sonocart.records")),
    ],
)
def test_no_import_runs_back_up_the_layers(package: str, forbidden: tuple[str, ...]) -> None:
    assert _offenders(HOST / package, forbidden) == []


def test_the_import_reader_sees_absolute_and_relative_imports(tmp_path: Path) -> None:
    """The oracle for the rule above: a hand-written package with each import form."""
    pkg = tmp_path / "sonocart" / "procedures"
    pkg.mkdir(parents=True)
    sample = pkg / "sample.py"
    sample.write_text("import kivy.app\nfrom sonocart.records import export\nfrom . import engine\n")
    assert imports_of(sample, "sonocart.procedures") == {
        "kivy.app",
        "sonocart.records",
        "sonocart.procedures.engine",
    }
    assert _offenders(pkg, ("sonocart.records",), tmp_path) == [
        "sonocart/procedures/sample.py imports sonocart.records"
    ]
