"""Boot entry on the Pico: run the firmware, or stay at the REPL in maintenance mode.

The first thing it does is stop Ctrl-C: the pedal link is binary and a host that writes as
soon as the port appears (a HELLO whose session id holds a 0x03 byte) must not raise
KeyboardInterrupt while the modules below are still loading, which would leave the board at
the REPL. An interrupt that reached the board in the few instructions before that line is
raised, and dropped, at the backward jump right after it.

Maintenance (REPL reachable, no watchdog): hold pedal A while powering up, or send MAINTENANCE
over the pedal link (``sonocart firmware flash`` does). The REPL handles Ctrl-C itself, so
mpremote can still stop a running command there.
"""

import micropython

micropython.kbd_intr(-1)
try:
    for _ in range(2):
        pass
except KeyboardInterrupt:
    pass

import board_pico  # noqa: E402 (after the interrupt is off)

board = board_pico.PicoBoard()
if board.maintenance_requested():
    board.set_rgb(0, 0, 255)
    print("sonocart pedal board: maintenance mode, REPL available")
else:
    import app

    board.binary_link()
    app.run(board)
