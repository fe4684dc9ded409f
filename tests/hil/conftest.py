"""The HIL plugin: rig options, the ``rig`` fixture (simulated and real back ends), figures and report.

Every test taking ``rig`` runs once per back end: ``sim`` always (the firmware on the
MicroPython unix port, the probe simulator), ``real`` when a rig is configured with
``--rig PORT --pedal-port PORT --probe-port PORT`` (udev names such as /dev/sonocart-rig),
and otherwise skips saying so, and ``pico`` (the Pico build on the official rp2 image in the
emulated RP2040, tests/hil/pico_rig.py). CI time: ``make test`` runs on ``pico`` only the tests
marked ``pico_ci`` (a representative subset); ``make hil`` passes ``--pico-all`` and runs every
case on it. Measured figures go to JUnit XML (``record_property``) and to the markdown report
(``--hil-report``, default artifacts/hil-report.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sonocart.firmware_tool.build import Build, build
from tests import rp2
from tools.rig.report import Figure, distribution, write_report

from .emulated_rig_board import EmulatedRigBoard
from .interface import Rig
from .pico_rig import PicoRig
from .real_rig import RealRig
from .sim_rig import SimRig

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REPORT = ROOT / "artifacts" / "hil-report.md"
NO_RIG = (
    "no real rig configured: give --rig PORT --pedal-port PORT --probe-port PORT "
    "(the rig board, pedal board and probe serial ports; see docs/hil.md)"
)
PICO_SUBSET = (
    "pico back end: this case runs on the emulated Pico in `make hil` (--pico-all); `make test` runs"
    " only the cases marked pico_ci there (CI time, docs/hil.md)"
)
_FIGURES: list[Figure] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("hil", "hardware-in-loop rig (docs/hil.md)")
    g.addoption("--rig", default=None, help="serial port of the rig board (e.g. /dev/sonocart-rig)")
    g.addoption("--pedal-port", default=None, help="serial port of the pedal board under test")
    g.addoption("--probe-port", default=None, help="serial port of the probe interface under test")
    g.addoption(
        "--rig-emulated",
        action="store_true",
        help="without a real rig, run the real back end against a rig board emulated on this host",
    )
    g.addoption(
        "--pico-all",
        action="store_true",
        help="run every rig case on the emulated-Pico back end (default: only those marked pico_ci)",
    )
    g.addoption("--hil-report", default=str(DEFAULT_REPORT), help="markdown report of measured figures")


def real_rig_ports(config: pytest.Config) -> tuple[str, str, str] | None:
    ports = tuple(config.getoption(o, default=None) for o in ("--rig", "--pedal-port", "--probe-port"))
    if not any(ports):
        return None
    if not all(ports):
        raise pytest.UsageError("a real rig needs all three of --rig, --pedal-port and --probe-port")
    return (str(ports[0]), str(ports[1]), str(ports[2]))


@pytest.fixture(scope="session")
def rig_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The pedal firmware compiled with mpy-cross for the simulated board, once per session."""
    return build("sim", tmp_path_factory.mktemp("hil-fw"), version=("9.9.9+hil", False, False))


BACKEND = pytest.StashKey[str]()


@pytest.fixture(params=["sim", "real", pytest.param("pico", marks=pytest.mark.rp2)])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """A started rig; the same test body runs on each back end."""
    made: SimRig | RealRig | PicoRig
    emulator: EmulatedRigBoard | None = None
    request.node.stash[BACKEND] = request.param
    if request.param == "sim":
        made = SimRig(tmp_path, request.getfixturevalue("rig_build")).start()
    elif request.param == "pico":
        if not (request.config.getoption("--pico-all") or request.node.get_closest_marker("pico_ci")):
            pytest.skip(PICO_SUBSET)
        made = PicoRig(tmp_path, request.getfixturevalue("pico_image")).start()
    else:
        ports = real_rig_ports(request.config)
        if ports is None and request.config.getoption("--rig-emulated", default=False):
            emulator = EmulatedRigBoard(tmp_path, request.getfixturevalue("rig_build")).start()
            ports = (emulator.rig_port, emulator.pedal_port, emulator.probe_port)
            request.node.stash[BACKEND] = "real (emulated rig board)"
        if ports is None:
            pytest.skip(NO_RIG)
        made = RealRig(*ports).start()
    try:
        yield made
    finally:
        made.close()
        if emulator is not None:
            emulator.stop()


Recorder = Callable[..., None]


@pytest.fixture
def figures(request: pytest.FixtureRequest, record_property: Callable[[str, object], None]) -> Recorder:
    """``figures(name, value, unit, limit=...)`` or ``figures(name, [values], unit)`` (median/p99/max)."""
    test = request.node.originalname

    def add(name: str, value: float | list[float], unit: str, limit: str = "", n: int = 1) -> None:
        backend = request.node.stash.get(BACKEND, "sim")
        if isinstance(value, list):
            made = distribution(test, backend, name, value, unit)
        else:
            made = [Figure(test, backend, name, round(float(value), 3), unit, n, limit)]
        for f in made:
            _FIGURES.append(f)
            record_property(f"{f.name} [{f.unit}]", f.value)

    return add


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _FIGURES:
        return
    path = Path(session.config.getoption("--hil-report", default=str(DEFAULT_REPORT)))
    write_report(list(_FIGURES), path, "Sonocart hardware-in-loop run")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pico_ci: also run on the emulated-Pico rig back end in make test (not only make hil)"
    )
    config.addinivalue_line("markers", rp2.BOARD_CLOCK_MARKER)
    real_rig_ports(config)  # a half-configured rig is a usage error up front, not a skip
