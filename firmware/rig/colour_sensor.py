"""TCS34725 colour sensor over I2C: the status light's colour as the eye sees it, about 400 times a second.

Integration 2.4 ms (ATIME 0xFF), gain 4x; a reading is ready when AVALID is set. Raw counts are
scaled to 0..255 with ``full_scale`` (the count a fully lit channel gives in the rig's sleeve,
measured once per rig: docs/hil.md, "Calibration").
"""

_ADDR = 0x29
_CMD = 0x80
_AUTO = 0x20
_ENABLE = 0x00
_ATIME = 0x01
_CONTROL = 0x0F
_STATUS = 0x13
_CDATA = 0x14


class ColourSensor:
    def __init__(self, i2c, full_scale=1024):
        self.i2c = i2c
        self.full_scale = full_scale
        self._write(_ATIME, 0xFF)
        self._write(_CONTROL, 0x01)
        self._write(_ENABLE, 0x01)
        self._write(_ENABLE, 0x03)
        self._last = (0, 0, 0)

    def _write(self, reg, value):
        self.i2c.writeto_mem(_ADDR, _CMD | reg, bytes([value]))

    def read(self):
        """(r, g, b) 0..255, the previous reading until a new one is ready."""
        if not self.i2c.readfrom_mem(_ADDR, _CMD | _STATUS, 1)[0] & 0x01:
            return self._last
        d = self.i2c.readfrom_mem(_ADDR, _CMD | _AUTO | _CDATA, 8)
        fs = self.full_scale
        self._last = tuple(min(255, (d[i] | d[i + 1] << 8) * 255 // fs) for i in (2, 4, 6))
        return self._last
