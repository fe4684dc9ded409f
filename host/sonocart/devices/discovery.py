"""Find boards by USB identity (VID:PID, serial number), never by a hard-coded /dev path."""

from __future__ import annotations

from dataclasses import dataclass

from serial.tools import list_ports


@dataclass(frozen=True)
class UsbId:
    vid: int
    pid: int
    serial_number: str | None = None

    def __str__(self) -> str:
        sn = f" serial {self.serial_number}" if self.serial_number else ""
        return f"{self.vid:04x}:{self.pid:04x}{sn}"


#: USB identity of the probe interface (see hardware/udev/99-sonocart.rules).
PROBE_USB_IDS = (UsbId(0x1209, 0x5C01),)


def find_port(ids: tuple[UsbId, ...]) -> str | None:
    """Device path of the first attached port matching one of ``ids``."""
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        for want in ids:
            if (
                port.vid == want.vid
                and port.pid == want.pid
                and want.serial_number in (None, port.serial_number)
            ):
                return str(port.device)
    return None
