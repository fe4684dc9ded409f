"""What actually went on the wire in a C-STORE: the SHA-256 of the dataset bytes in the P-DATA PDUs sent.

pynetdicom re-encodes a dataset for the negotiated transfer syntax, so the file's hash says what was
queued, not what the PACS received. :class:`WireTap` listens to the association's ``EVT_PDU_SENT`` (raised
after each PDU left the socket) and hashes the dataset fragments of each message: a Presentation Data Value
whose message control header (PS3.8 E.2) has bit 0 clear carries dataset bytes, bit 0 set command bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pynetdicom import evt
from pynetdicom.pdu import P_DATA_TF

COMMAND_BIT = 0x01


class WireTap:
    """Hash of the dataset bytes sent since :meth:`reset`; bind with ``evt_handlers=[tap.handler]``."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    @property
    def handler(self) -> tuple[Any, Any]:
        return (evt.EVT_PDU_SENT, self._on_pdu)

    def reset(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    def sha256(self) -> str:
        """The hash of what was sent ("" when no dataset byte went out)."""
        return self._hash.hexdigest() if self.size else ""

    def _on_pdu(self, event: Any) -> None:
        pdu = event.pdu
        if not isinstance(pdu, P_DATA_TF):
            return
        for item in pdu.presentation_data_value_items:
            data = item.presentation_data_value or b""
            if data and not data[0] & COMMAND_BIT:
                self._hash.update(data[1:])
                self.size += len(data) - 1
