"""Where an installed cart keeps everything, under one root ("/" on the cart, a throwaway prefix in tests).

``/opt/sonocart/releases/<version>/`` holds one virtualenv per installed version (side by side);
``/opt/sonocart/current`` and ``previous`` are symlinks into it, swapped atomically by
:func:`sonocart.update.release.switch`. Records, settings and keys live in ``/var/lib/sonocart`` (0700,
the service user), which no install, update or plain uninstall touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SERVICE_USER = "sonocart"
UNIT_NAME = "sonocart.service"


@dataclass(frozen=True)
class Layout:
    root: Path = Path("/")

    def _at(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    @property
    def app(self) -> Path:
        return self._at("/opt/sonocart")

    @property
    def releases(self) -> Path:
        return self.app / "releases"

    @property
    def current(self) -> Path:
        return self.app / "current"

    @property
    def previous(self) -> Path:
        return self.app / "previous"

    @property
    def state(self) -> Path:
        """Records, settings and keys: owned by the service user, 0700, kept by a plain uninstall."""
        return self._at("/var/lib/sonocart")

    @property
    def etc(self) -> Path:
        return self._at("/etc/sonocart")

    @property
    def release_keys(self) -> Path:
        """Public Ed25519 keys (PEM) whose signatures ``sonocart update`` accepts."""
        return self.etc / "release-keys"

    @property
    def unit(self) -> Path:
        return self._at(f"/etc/systemd/system/{UNIT_NAME}")

    @property
    def sysusers(self) -> Path:
        return self._at("/etc/sysusers.d/sonocart.conf")

    @property
    def tmpfiles(self) -> Path:
        return self._at("/etc/tmpfiles.d/sonocart.conf")

    @property
    def udev_rules(self) -> Path:
        return self._at("/etc/udev/rules.d/99-sonocart.rules")

    def release(self, version: str) -> Path:
        return self.releases / version

    def on_target(self, path: Path) -> Path:
        """``path`` (under the root) as the cart will see it once booted: the root prefix removed."""
        return Path("/") / path.relative_to(self.root)
