"""``sonocart procedure``: list the catalogue, run a scripted procedure headless, show or verify a record."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sonocart.cart.events import CartEvent
from sonocart.clock import ManualClock, SystemClock
from sonocart.journal.store import JournalError
from sonocart.procedures.catalogue import CatalogueError, load_catalogue
from sonocart.procedures.checks import InputRejected
from sonocart.records.record import ProcedureRecord
from sonocart.scripted.runner import run_script
from sonocart.scripted.script import ScriptError, load_script


def default_records_root() -> Path:
    return Path(os.environ.get("SONOCART_RECORDS", "~/sonocart-records")).expanduser()


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("procedure", help="procedure catalogue, scripted runs, record status")
    p.add_argument("--catalogue", type=Path, default=None, help="catalogue folder (default: the shipped one)")
    p.add_argument("--site", type=Path, default=None, help="site file with local defaults")
    sub = p.add_subparsers(dest="procedure_command", required=True, metavar="ACTION")
    sub.add_parser("list", help="procedures in the catalogue").set_defaults(func=_list)
    run = sub.add_parser("run", help="drive a whole procedure from a script; prints the record's path")
    run.add_argument("--script", type=Path, required=True)
    run.add_argument("--records", type=Path, default=None, help="records folder (default $SONOCART_RECORDS)")
    run.add_argument(
        "--events", action="store_true", help="print the cart's events as JSON lines (docs/headless.md)"
    )
    run.set_defaults(func=_run)
    status = sub.add_parser("status", help="phase, step, prompts and timers of a record")
    status.add_argument("record", type=Path)
    status.set_defaults(func=_status)
    verify = sub.add_parser("verify", help="check a record's hash chain")
    verify.add_argument("record", type=Path)
    verify.set_defaults(func=_verify)


def _catalogue(args: argparse.Namespace) -> Any:
    return load_catalogue(args.catalogue, args.site)


def _list(args: argparse.Namespace) -> int:
    for proc in _catalogue(args).procedures.values():
        print(f"{proc.id:34} {proc.name}")
    return 0


def _run(args: argparse.Namespace) -> int:
    try:
        catalogue = _catalogue(args)
        script = load_script(args.script)
    except (CatalogueError, ScriptError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = {"index": -1}

    def note(index: int, step: object) -> None:
        where["index"] = index

    root = args.records or default_records_root()
    try:
        listener = (
            (lambda ev: print(json.dumps(ev.as_dict(), default=str), flush=True)) if args.events else None
        )
        record = run_script(script, root, catalogue, ManualClock(wall=SystemClock().wall()), note, listener)
    except (InputRejected, ScriptError, CatalogueError) as exc:
        print(f"error: script input #{where['index'] + 1}: {exc}", file=sys.stderr)
        return 3
    except JournalError as exc:
        print(f"error: {exc}; the procedure did not advance", file=sys.stderr)
        return 4
    print(record.path)
    record.close()
    return 0


def _print_event(event: CartEvent) -> None:
    print(json.dumps(event.as_dict(), default=str), flush=True)


def _status(args: argparse.Namespace) -> int:
    try:
        record = ProcedureRecord.open(args.record, _catalogue(args), SystemClock())
    except (FileNotFoundError, JournalError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    eng = record.engine
    step = eng.current_step()
    out = {
        "record": str(record.path),
        "procedure": eng.state.procedure.id,
        "phase": eng.state.current_phase_id(),
        "step": step.id if step else None,
        "banner": eng.banner(),
        "hard_stops": sorted(eng.state.hard_stops),
        "prompts": [{"id": p.id, "priority": p.priority.name, "text": p.text} for p in eng.active_prompts()],
        "timers": {name: eng.timer_remaining(name) for name in eng.state.timers},
        "events": eng.state.last_seq,
    }
    print(json.dumps(out, indent=2))
    record.close()
    return 0


def _verify(args: argparse.Namespace) -> int:
    from sonocart.journal.store import Journal

    path = args.record / "journal.sqlite"
    if not path.exists():
        print(f"error: no journal at {path}", file=sys.stderr)
        return 2
    with Journal(path) as journal:
        try:
            count = journal.verify()
        except JournalError as exc:
            print(f"TAMPERED: {exc}", file=sys.stderr)
            return 1
    print(f"ok: {count} events, hash chain intact")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run this command alone (``python -m sonocart.commands.procedure``), e.g. on a rig."""
    parser = argparse.ArgumentParser(prog="sonocart")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["procedure", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
