"""The hardware files agree with each other and with the code that reads them."""

from __future__ import annotations

import csv
import re

from sonocart.devices.discovery import PROBE_USB_IDS
from sonocart.devices.pedal import PEDAL_USB_IDS
from sonocart.firmware_tool import pinmap
from sonocart.firmware_tool.paths import FIRMWARE_DIR, HARDWARE_DIR


def test_committed_firmware_pinmap_is_generated_from_the_data_file() -> None:
    assert (FIRMWARE_DIR / "pinmap.py").read_text() == pinmap.render_python(pinmap.load()), (
        "run `sonocart firmware pinmap`"
    )


def test_hardware_readme_pin_table_is_generated_from_the_data_file() -> None:
    assert pinmap.render_markdown(pinmap.load()) in (HARDWARE_DIR / "README.md").read_text(), (
        "run `sonocart firmware pinmap`"
    )


def test_every_pin_is_used_once_and_the_board_module_imports_exactly_them() -> None:
    pins = pinmap.load()["pins"]
    assert len({p["gpio"] for p in pins}) == len(pins)
    board = (FIRMWARE_DIR / "board_pico.py").read_text()
    imported = re.search(r"from pinmap import ([A-Z_, ]+)", board)
    assert imported is not None
    assert sorted(n.strip() for n in imported.group(1).split(",")) == sorted(p["name"] for p in pins)


def test_no_logic_module_touches_pins_or_machine() -> None:
    for src in FIRMWARE_DIR.glob("*.py"):
        if src.name in ("board_pico.py", "mpcompat.py", "main.py"):
            continue  # the board module, the shim, and the Pico's boot entry (kbd_intr before all else)
        text = src.read_text()
        assert not re.search(r"^\s*(import|from)\s+(machine|micropython|neopixel|pinmap)\b", text, re.M), (
            src.name
        )


def test_udev_rules_name_both_devices_by_their_usb_ids() -> None:
    rules = (HARDWARE_DIR / "udev" / "99-sonocart.rules").read_text()
    lines = [line for line in rules.splitlines() if line and not line.startswith("#")]
    for ids, link in ((PROBE_USB_IDS, "sonocart-probe"), (PEDAL_USB_IDS, "sonocart-pedal")):
        for usb in ids:
            match = [
                line
                for line in lines
                if f'ATTRS{{idVendor}}=="{usb.vid:04x}"' in line
                and f'ATTRS{{idProduct}}=="{usb.pid:04x}"' in line
            ]
            assert match and all(f'SYMLINK+="{link}"' in line for line in match), (usb, link)
    stock = [line for line in lines if 'idVendor}=="2e8a"' in line]
    assert all("ATTRS{serial}==" in line for line in stock), "stock MicroPython id needs the serial number"


def test_bom_has_a_part_number_for_every_part_the_issue_asks_for() -> None:
    with open(HARDWARE_DIR / "bom.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(r["part_number"].strip() and r["manufacturer"].strip() for r in rows)
    functions = " ".join(r["function"].lower() for r in rows)
    for needed in ("foot switch", "connector", "rgb", "buzzer", "transistor", "controller"):
        assert needed in functions, needed


def test_protocol_document_states_the_current_version_and_schema_hash() -> None:
    from sonocart.firmware_tool.paths import ROOT
    from sonocart.wire import pedal_codec as pc

    doc = (ROOT / "docs" / "protocols" / "pedal-link.md").read_text()
    assert f"**{pc.SCHEMA_HASH:#010x}**" in doc and f"`PROTOCOL_VERSION` **{pc.PROTOCOL_VERSION}**" in doc
    for _id, name, fmt, fields, _texts in pc.TABLE:
        assert f"| {name} |" in doc, name
        if fields:
            assert f"`{fmt}` {', '.join(fields)}" in doc or f"`{fmt}` {fields[0]}" in doc, name
