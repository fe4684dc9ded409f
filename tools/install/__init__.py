"""``make install`` / ``make uninstall``: turn a Debian 12 machine (or a root prefix) into a cart."""
