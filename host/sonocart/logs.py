"""Logging for the cart: one line per record on stderr, which systemd hands to the journal.

Under systemd (``JOURNAL_STREAM`` set) each line starts with its syslog priority in sd-daemon(3) form
(``<3>`` error … ``<7>`` debug) and carries no timestamp (the journal adds its own); elsewhere a person
reads time, level and logger. Log messages name records by folder, devices by port and operators by id:
never a patient's name, MRN or date of birth (``tests/test_logs.py`` greps a whole procedure's log).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

#: logging level -> syslog priority (sd-daemon.h: SD_ERR 3, SD_WARNING 4, SD_INFO 6, SD_DEBUG 7)
_PRIORITY = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))


class JournalFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        prio = next((p for level, p in _PRIORITY if record.levelno >= level), 7)
        text = super().format(record)
        # A traceback stays one journal entry: continuation lines are indented, not new entries.
        return f"<{prio}>" + text.replace("\n", "\n    ")


def under_journal(env: Mapping[str, str] = os.environ) -> bool:
    return bool(env.get("JOURNAL_STREAM"))


def setup_logging(
    level: int = logging.INFO, stream: TextIO | None = None, env: Mapping[str, str] = os.environ
) -> logging.Handler:
    """Route every logger (Kivy's too: ``KIVY_LOG_MODE=PYTHON``) to one stderr handler; returns it."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    if under_journal(env):
        handler.setFormatter(JournalFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
