"""One procedure record on disk: its journal, its captured stills, its exports, all owner-only.

Layout: ``<root>/<record_id>/journal.sqlite`` (the truth), ``captures/NNN.png`` (lossless stills, each
referenced from the journal by SHA-256 with its calibration), ``exports/`` (PDF, JSON, DICOM; rebuildable).
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from sonocart.clock import Clock
from sonocart.journal.private_fs import private_dir, write_private
from sonocart.journal.store import Journal
from sonocart.procedures.catalogue import Catalogue
from sonocart.procedures.engine import Engine
from sonocart.procedures.inputs import CaptureAdded

JOURNAL_NAME = "journal.sqlite"


class CaptureError(ValueError):
    """A still that cannot be stored as given (shape, dtype, calibration)."""


@dataclass(frozen=True)
class Calibration:
    """``mm_per_px`` (square pixels); ``origin_px`` = (u, v) of lateral 0, depth 0 (transducer centre)."""

    mm_per_px: float
    origin_px: tuple[float, float]


def new_record_id(wall: float) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(wall))
    return f"{stamp}-{secrets.token_hex(3)}"


def _check_image(image: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    if image.dtype != np.uint8:
        raise CaptureError(f"capture must be uint8, got {image.dtype}")
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3):
        if min(image.shape[:2]) < 8:
            raise CaptureError(f"capture {image.shape} is too small")
        return np.ascontiguousarray(image)
    raise CaptureError(f"capture must be HxW grey or HxWx3 RGB, got shape {image.shape}")


class ProcedureRecord:
    """The record folder plus its engine; open with :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine

    @property
    def journal(self) -> Journal:
        return self.engine.journal

    @classmethod
    def create(
        cls,
        root: Path,
        catalogue: Catalogue,
        clock: Clock,
        procedure_id: str,
        patient: dict[str, Any],
        operator: str,
        names: dict[str, str] | None = None,
    ) -> ProcedureRecord:
        catalogue.procedure(procedure_id)  # unknown procedures fail before anything is written
        record_id = new_record_id(clock.wall())
        path = private_dir(private_dir(root) / record_id)
        journal = Journal(path / JOURNAL_NAME)
        engine = Engine.start(catalogue, journal, clock, procedure_id, patient, operator, record_id, names)
        return cls(path, engine)

    @classmethod
    def open(cls, path: Path, catalogue: Catalogue, clock: Clock) -> ProcedureRecord:
        journal_path = path / JOURNAL_NAME
        if not journal_path.exists():
            raise FileNotFoundError(f"no procedure record at {path}")
        return cls(path, Engine.resume(catalogue, Journal(journal_path), clock))

    def close(self) -> None:
        self.journal.close()

    def add_capture(
        self,
        image: npt.NDArray[Any],
        mm_per_px: float,
        origin_px: tuple[float, float],
        operator: str,
        label: str = "",
    ) -> dict[str, Any]:
        """Store a still losslessly, then journal it; the still counts only once its event is committed."""
        img = _check_image(image)
        if not (0 < mm_per_px < 10):
            raise CaptureError(f"mm_per_px {mm_per_px} is not a plausible ultrasound pixel size")
        number = len(self.engine.state.captures) + 1
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="PNG")
        data = buf.getvalue()
        rel = f"captures/{number:03d}.png"
        write_private(self.path / rel, data)
        capture = {
            "number": number,
            "file": rel,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": int(img.shape[0]),
            "columns": int(img.shape[1]),
            "colour": img.ndim == 3,
            "mm_per_px": float(mm_per_px),
            "origin_px": [float(origin_px[0]), float(origin_px[1])],
            "label": label,
        }
        self.engine.submit(CaptureAdded(capture, operator))
        return capture

    def load_capture(self, capture: dict[str, Any]) -> npt.NDArray[np.uint8]:
        """Read a still back, refusing one whose bytes no longer match the journal."""
        data = (self.path / capture["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != capture["sha256"]:
            raise CaptureError(f"capture {capture['file']} does not match its journaled hash")
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im, dtype=np.uint8)
