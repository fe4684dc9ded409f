"""Kivy's "Clock: too much iteration done before the next frame" warning, counted while a scenario runs.

Kivy logs it when the callbacks run before a frame (layouts, -1 triggers) still schedule one another after
``Clock.max_iteration`` rounds: a layout that never converges (a size set inside a layout callback that
sets it off again). A scenario's report carries the count (driver.run_scenario); the tests assert 0."""

from __future__ import annotations

import logging

#: The words of Kivy's warning (kivy/_clock.pyx, _process_events_before_frame).
TOO_MUCH = "too much iteration done before the next frame"


class ClockWarnings(logging.Handler):
    """Collects the warning's records from Kivy's logger (installed on it for a run, then removed)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if TOO_MUCH in message:
            self.records.append(message)

    def __enter__(self) -> ClockWarnings:
        logging.getLogger("kivy").addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logging.getLogger("kivy").removeHandler(self)
