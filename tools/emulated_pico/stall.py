"""Hang one real task of the running pedal firmware, so that its watchdog has to act.

The firmware's ``health`` task feeds ``machine.WDT`` only while every other task has run in the
last 500 ms (``App.healthy()``). To show that a hung task really resets the board, the board is
brought up in maintenance mode (pedal A held at power-up: REPL reachable, no watchdog), and the
unmodified firmware modules are started from the raw REPL exactly as ``main.py`` starts them,
plus one extra task: when GPIO 22 (a spare pin) goes high, it cancels the ``pedals`` task and puts
in its place a task hung in an ``await`` that never returns, as a deadlocked task would be.
Nothing else is changed: the health check, the watchdog and the reset are the firmware's and the
chip's own.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from mpremote.transport_serial import SerialTransport

if TYPE_CHECKING:
    from tools.emulated_pico.pedal_board import EmulatedPedalBoard

#: A spare GPIO (Pico pin 29) that the test drives to make the pedals task hang.
STALL_GPIO = 22
MAINTENANCE_BLUE = (0, 0, 255)

_SCRIPT = """\
import asyncio, machine, app, board_pico
board = board_pico.PicoBoard()
board.binary_link()
fw = app.App(board)
trigger = machine.Pin(STALL_GPIO, machine.Pin.IN)
async def hang_pedals():
    while not trigger.value():
        await asyncio.sleep_ms(5)
    fw.tasks['pedals'].cancel()
    fw.tasks['pedals'] = asyncio.create_task(asyncio.Event().wait())
async def main():
    asyncio.create_task(hang_pedals())
    await fw.main()
asyncio.run(main())
""".replace("STALL_GPIO", str(STALL_GPIO))


def stall_pedals_task(board: EmulatedPedalBoard, timeout: float = 20.0) -> float:
    """Restart ``board``'s firmware with a hangable pedals task, hang it; return the board ms it hung at."""
    pico = board.pico
    pico.set_input(STALL_GPIO, False)
    board.press("A")
    mark = pico.event_count()
    board.power_cycle()
    if not (pico.wait_link(timeout) and board.wait_for(lambda: board.light() == MAINTENANCE_BLUE, timeout)):
        raise RuntimeError("board did not come up in maintenance mode")
    board.release("A")
    transport = SerialTransport(str(board.link_path), baudrate=115200)
    try:
        transport.enter_raw_repl(soft_reset=False)
        transport.exec_raw_no_follow(_SCRIPT)
    finally:
        transport.close()
    # The firmware is up when it drives the light again (host-lost yellow or the host's state).
    if not board.wait_for(lambda: board.light() != MAINTENANCE_BLUE, timeout):
        raise RuntimeError(f"firmware did not start from the REPL; events since: {pico.events(mark)[-5:]}")
    time.sleep(0.5)  # every task has run: healthy, feeding the watchdog
    return pico.set_input(STALL_GPIO, True)
