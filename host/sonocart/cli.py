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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if under_journal() or os.environ.get("SONOCART_LOG_LEVEL"):
        setup_logging(getattr(logging, os.environ.get("SONOCART_LOG_LEVEL", "INFO").upper(), logging.INFO))
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
