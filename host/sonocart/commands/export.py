"""``sonocart export``: write a record's report (JSON, PDF) and DICOM objects; optionally queue and send
them to the PACS through the journal-backed queue (what fails stays queued for the next run)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sonocart.clock import SystemClock
from sonocart.journal.store import JournalError
from sonocart.procedures.catalogue import CatalogueError, load_catalogue
from sonocart.records.export import export_record
from sonocart.records.pacs_queue import PacsTarget, enqueue, flush, pending
from sonocart.records.record import CaptureError, ProcedureRecord


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export", help="export a procedure record (JSON, PDF, DICOM) and send it to PACS"
    )
    p.add_argument("record", type=Path, help="the record folder")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: inside the record)")
    p.add_argument("--deidentify", action="store_true", help="pseudonym instead of patient identifiers")
    p.add_argument("--operator", default="service", help="who exports (journaled)")
    p.add_argument(
        "--pacs", type=_hostport, default=None, metavar="HOST:PORT", help="send DICOM to this PACS"
    )
    p.add_argument("--pacs-aet", default="ORTHANC", help="the PACS's AE title")
    p.add_argument("--calling-aet", default="SONOCART", help="our AE title")
    p.add_argument("--flush-only", action="store_true", help="only retry what is already queued")
    p.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    clock = SystemClock()
    try:
        record = ProcedureRecord.open(args.record, load_catalogue(), clock)
    except (FileNotFoundError, JournalError, CatalogueError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        files: list[Path] = []
        if not args.flush_only:
            out = export_record(record, args.operator, args.out, args.deidentify)
            files = out.dicom
            for path in (out.report_json, out.report_pdf, *out.dicom):
                print(path)
        if args.pacs is None:
            return 0
        if files:
            enqueue(record.journal, files, args.operator, clock)
        host, port = args.pacs
        result = flush(record.journal, PacsTarget(host, port, args.pacs_aet, args.calling_aet), clock)
        left = len(pending(record.journal))
        print(f"PACS: sent {len(result.sent)}, failed {len(result.failed)}, still queued {left}")
        if result.unreachable:
            print(f"warning: {result.unreachable}; queued objects go on the next run", file=sys.stderr)
        return 0 if left == 0 else 5
    except (JournalError, CaptureError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    finally:
        record.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sonocart")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["export", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
