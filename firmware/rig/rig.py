"""Rig board logic: the line protocol the host's RealRig speaks, on any board object (no pins here).

Commands (one per line, one answer line each; docs/hil.md, "Rig board protocol")::

    hello                -> ok sonocart-rig <version>
    time                 -> t <us>
    press A|B, release A|B, unplug, replug, reset, probe 0|1, power on|off
                         -> ok <us>      (the rig clock when the output switched)
    light                -> rgb <r> <g> <b>
    buzzer               -> buzzer <0|1>
    watch 0|1            -> ok <us>      (1: report changes unasked, below)
    safe                 -> ok <us>      (pedals open, connector in, board and probe connected)

Unasked, while watching: ``L <us> <r> <g> <b>`` when the light changes, ``Z <us> <0|1>`` when
the buzzer does. ``<us>`` is the rig's own microsecond clock, never wrapped.
"""

VERSION = "1.0.0"
PEDALS = "AB"
RESET_PULSE_MS = 50
LIGHT_HYSTERESIS = 12  # counts of 255: sensor noise is not a light change


class Rig:
    def __init__(self, board):
        self.board = board
        self.watching = False
        self._rgb = (0, 0, 0)
        self._buzz = False
        self.safe()

    def safe(self):
        b = self.board
        for i in range(len(PEDALS)):
            b.set_pedal(i, False)
        b.set_present(True)
        b.set_reset(False)
        b.set_dut_power(True)
        b.set_probe(True)

    def _ok(self):
        return "ok %d" % self.board.now_us()

    def handle(self, line):
        """Run one command line; return its answer line."""
        words = line.split()
        if not words:
            return "error empty command"
        verb = words[0].lower()
        arg = words[1] if len(words) > 1 else ""
        b = self.board
        if verb == "hello":
            return "ok sonocart-rig %s" % VERSION
        if verb == "time":
            return "t %d" % b.now_us()
        if verb in ("press", "release"):
            i = PEDALS.find(arg.upper()) if arg else -1
            if i < 0:
                return "error no pedal %r" % arg
            b.set_pedal(i, verb == "press")
            return self._ok()
        if verb in ("unplug", "replug"):
            b.set_present(verb == "replug")
            return self._ok()
        if verb == "reset":
            b.set_reset(True)
            at = self._ok()
            b.sleep_ms(RESET_PULSE_MS)
            b.set_reset(False)
            return at
        if verb == "power" and arg in ("on", "off"):
            b.set_dut_power(arg == "on")
            return self._ok()
        if verb == "probe" and arg in ("0", "1"):
            b.set_probe(arg == "1")
            return self._ok()
        if verb == "light":
            return "rgb %d %d %d" % b.read_rgb()
        if verb == "buzzer":
            return "buzzer %d" % (1 if b.buzzer_on() else 0)
        if verb == "watch" and arg in ("0", "1"):
            self.watching = arg == "1"
            return self._ok()
        if verb == "safe":
            self.safe()
            return self._ok()
        return "error unknown command %r" % line.strip()

    def poll(self):
        """Sample light and buzzer; the change lines to send (none unless watching)."""
        b = self.board
        out = []
        rgb = b.read_rgb()
        if rgb is not None and _moved(rgb, self._rgb):
            self._rgb = rgb
            if self.watching:
                out.append("L %d %d %d %d" % (b.now_us(), rgb[0], rgb[1], rgb[2]))
        buzz = b.buzzer_on()
        if buzz != self._buzz:
            self._buzz = buzz
            if self.watching:
                out.append("Z %d %d" % (b.now_us(), 1 if buzz else 0))
        return out


def _moved(a, b):
    return any(abs(a[i] - b[i]) > LIGHT_HYSTERESIS for i in range(3))


def serve(board, stream_in, stream_out):
    """Forever: answer command lines from ``stream_in``, report changes, on ``stream_out``."""
    import select

    rig = Rig(board)
    poller = select.poll()
    poller.register(stream_in, select.POLLIN)
    buf = ""
    while True:
        for line in rig.poll():
            stream_out.write(line + "\n")
        if poller.poll(0):
            ch = stream_in.read(1)
            if ch == "\n":
                stream_out.write(rig.handle(buf) + "\n")
                buf = ""
            elif ch and ch != "\r":
                buf += ch
