"""The ``sonocart`` console entry point: one sub-command per module in ``sonocart.commands``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from sonocart.logs import setup_logging, under_journal

#: Sub-command modules, each exposing ``register(subparsers)`` that sets ``func``.
COMMAND_MODULES = (
    "sonocart.commands.run",
    "sonocart.commands.sim",
    "sonocart.commands.render",
    "sonocart.commands.procedure",
    "sonocart.commands.export",
    "sonocart.commands.firmware",
    "sonocart.commands.cart",
    "sonocart.commands.update",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sonocart", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


#: Exit codes beyond a command's own: stdout's reader went away (128 + SIGPIPE), and an error no
#: command anticipated (EX_SOFTWARE) — reported in one line, the traceback only with SONOCART_DEBUG=1.
EXIT_BROKEN_PIPE = 141
EXIT_UNEXPECTED = 70


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if under_journal() or os.environ.get("SONOCART_LOG_LEVEL"):
        setup_logging(getattr(logging, os.environ.get("SONOCART_LOG_LEVEL", "INFO").upper(), logging.INFO))
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # e.g. `sonocart procedure status REC | head`: the reader has what it wanted. Point stdout at
        # /dev/null so the interpreter's own flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # RecursionError and MemoryError included: one line, never a traceback
        if os.environ.get("SONOCART_DEBUG") == "1":
            raise
        line = f"sonocart {args.command}: unexpected {type(exc).__name__}: {exc}".splitlines()[0][:400]
        print(line, file=sys.stderr)
        return EXIT_UNEXPECTED
    return code


if __name__ == "__main__":
    sys.exit(main())
