"""``python -m tools.bench``: the live B-mode chain against an OpenCV reference (docs/performance.md)."""
