"""Boot entry on the Pico: run the firmware, or stay at the REPL in maintenance mode.

Maintenance (REPL reachable, no watchdog, Ctrl-C works): hold pedal A while powering
up, or send MAINTENANCE over the pedal link (``sonocart firmware flash`` does).
"""

import board_pico

board = board_pico.PicoBoard()
if board.maintenance_requested():
    board.set_rgb(0, 0, 255)
    print("sonocart pedal board: maintenance mode, REPL available")
else:
    import app

    board.binary_link()
    app.run(board)
