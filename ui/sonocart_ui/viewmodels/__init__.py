"""Plain-Python view-models: what each screen shows, testable without a window (no Kivy imports)."""
