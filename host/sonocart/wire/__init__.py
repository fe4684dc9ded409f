"""Wire formats. Modules marked "MicroPython subset" also run on the pedal board."""
