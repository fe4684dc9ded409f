"""Child for the disk-fault tests, run under ``unshare -m`` so it can mount a small private tmpfs.

Mode ``full`` fills the tmpfs, ``readonly`` remounts it read-only; each then tries to advance the procedure,
restores the disk and tries again. Prints one JSON line of observations for the test to judge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sonocart.clock import ManualClock
from sonocart.journal.store import JournalWriteError
from sonocart.procedures.catalogue import load_catalogue
from sonocart.procedures.inputs import Answer, Confirm
from sonocart.records.record import ProcedureRecord

PATIENT = {"name": "DOE^JANE", "id": "MRN1", "birth_date": "19580412", "sex": "F"}


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def main() -> None:
    mode, mnt = sys.argv[1], Path(sys.argv[2])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], check=True)
    clock = ManualClock()
    rec = ProcedureRecord.create(
        mnt / "records", load_catalogue(), clock, "knee_joint_injection", PATIENT, "dr_a"
    )
    rec.engine.submit(Answer("team", ["dr_a", "rn_b"], "dr_a"))
    rec.engine.submit(Confirm("patient_identifiers", "rn_b"))
    before = (rec.engine.current_step().id, rec.engine.state.last_seq)  # type: ignore[union-attr]
    out: dict[str, object] = {"mode": mode, "before": before}
    if mode == "full":
        filler = fill(mnt)
        try:
            rec.engine.submit(Answer("consent_valid", True, "dr_a"))
            out["error"] = None
        except JournalWriteError as exc:
            out["error"] = str(exc)
        out["during"] = (rec.engine.current_step().id, rec.engine.state.last_seq)  # type: ignore[union-attr]
        filler.unlink()
    else:
        # A mount with files open for writing cannot be remounted read-only, so the cart restarts onto a
        # read-only disk: the record must refuse to open rather than run without a journal.
        path = rec.path
        rec.close()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            ProcedureRecord.open(path, load_catalogue(), clock)
            out["error"] = None
        except JournalWriteError as exc:
            out["error"] = str(exc)
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        rec = ProcedureRecord.open(path, load_catalogue(), clock)
        out["during"] = (rec.engine.current_step().id, rec.engine.state.last_seq)  # type: ignore[union-attr]
    rec.engine.submit(Answer("consent_valid", True, "dr_a"))
    out["after"] = (rec.engine.current_step().id, rec.engine.state.last_seq)  # type: ignore[union-attr]
    out["verified"] = rec.journal.verify()
    path = rec.path
    rec.close()
    again = ProcedureRecord.open(path, load_catalogue(), clock)
    out["reopened"] = (again.engine.current_step().id, again.journal.verify())  # type: ignore[union-attr]
    again.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
