"""``make sbom``: the CycloneDX bill of materials of what a cart runs (Python, npm, Debian, firmware)."""
