"""The Settings screen's PACS fields in the real window: a part of the shared run (screens_scenario.py)
for tests/ui/test_settings_screen.py.

The cart's destination is set in its settings (the object the PACS send reads) before Settings is first
opened; the part reads the fields and their labels from the widget tree, types a valid destination
and saves, leaves and opens Settings again, then types an AE title the core refuses and saves. What each
look showed goes to the report; the test holds the expected words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.driver import Report, Steps, settled, touch, wait
from tests.ui.layout import text_audit, visible_widgets, window_rect

FIELDS = ("pacs_host", "pacs_port", "pacs_aet")
LABELS = ("PACS host", "Port", "Called AE title")


def part(app: Any, report: Report, artifacts: Path, tmp: Path) -> Steps:
    """From the start screen, no record open: the looks ``opened``, ``saved``, ``reopened``, ``refused``
    and ``port_refused``."""
    from kivy.core.window import Window

    settings_file = tmp / "settings.json"
    report["settings_file"] = str(settings_file)

    def look(name: str) -> None:
        screen = app.screens.get_screen("settings")
        shown = list(visible_widgets(Window))
        fields = {}
        for key in FIELDS:
            f = screen.ids[key]
            fields[key] = {"text": f.text, "rect": window_rect(f), "visible": f in shown}
        texts = text_audit(Window)
        labels = {
            label: [window_rect(w) for w in shown if getattr(w, "text", None) == label and w is not None]
            for label in LABELS
        }
        toast = app.root.ids.toast
        report[name] = {
            "screen": app.screens.current,
            "fields": fields,
            "labels": labels,
            "texts": texts,
            "toast": toast.text if toast.opacity > 0 else "",
            "pacs": vars(app.session.settings.pacs).copy(),
            "file": settings_file.read_text() if settings_file.exists() else "",
        }
        app.save_screenshot(artifacts / f"settings-{name}.png")

    def type_into(key: str, text: str) -> Steps:
        field = app.screens.get_screen("settings").ids[key]
        yield from touch(field)
        field.select_all()
        field.delete_selection()
        field.insert_text(text)
        yield

    def save() -> Steps:
        yield from touch(app.screens.get_screen("settings").ids.save_pacs)
        yield from settled()

    app.session.settings_path = settings_file  # the cart's file, as build_cart gives it
    pacs: Any = app.session.settings.pacs
    pacs.host, pacs.port, pacs.called_aet = "pacs.ward7.example", 11112, "WARD7PACS"
    nav = app.root.ids.nav
    yield from settled()
    yield from touch(nav.ids.nav_settings)
    yield from wait(lambda: app.screens.current == "settings", 5, "Settings")
    yield from settled()
    look("opened")
    for key, text in zip(FIELDS, ("10.1.2.3", "104", "ARCHIVE"), strict=True):
        yield from type_into(key, text)
    yield from save()
    look("saved")
    yield from touch(nav.ids.nav_procedure)
    yield from wait(lambda: app.screens.current == "start", 5, "back to start")
    yield from touch(nav.ids.nav_settings)
    yield from wait(lambda: app.screens.current == "settings", 5, "Settings again")
    yield from settled()
    look("reopened")
    yield from type_into("pacs_aet", "WARDSEVENARCHIVES")  # 17 characters: DICOM allows 16
    yield from save()
    look("refused")
    yield from type_into("pacs_port", "70000")
    yield from type_into("pacs_aet", "ARCHIVE")
    yield from save()
    look("port_refused")
