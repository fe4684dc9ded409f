"""Sonocart: controller of an ultrasound-guided injection cart.

This file is also deployed to the pedal board (the shared wire codecs live in
``sonocart.wire``), so it must stay importable by MicroPython: no imports here.
"""

__version__ = "0.1.0"
