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
    """Restart ``board``'s firmware with a hangable pedals task, hang it; return the board ms it hung at.

    A host driver must hold the board's port (``link_path``): the task hangs once it has talked to
    the board again. The REPL work is done on a port of its own (:meth:`EmulatedPico.link_at`), as a
    technician would, not beside a host that keeps writing frames into the REPL.
    """
    pico = board.pico
    pico.set_input(STALL_GPIO, False)
    board.press("A")
    repl_port = board.link_path.with_name(board.link_path.name + ".repl")
    with pico.link_at(repl_port):
        mark = pico.event_count()
        board.power_cycle()
        if not (
            pico.wait_link(timeout) and board.wait_for(lambda: board.light() == MAINTENANCE_BLUE, timeout)
        ):
            raise RuntimeError("board did not come up in maintenance mode")
        board.release("A")
        transport = SerialTransport(str(repl_port), baudrate=115200)
        try:
            transport.enter_raw_repl(soft_reset=False)
            transport.exec_raw_no_follow(_SCRIPT)
        finally:
            transport.close()
        # The firmware is up when it drives the light again (host-lost yellow).
        if not board.wait_for(lambda: board.light() != MAINTENANCE_BLUE, timeout):
            raise RuntimeError(
                f"firmware did not start from the REPL; events since: {pico.events(mark)[-5:]}"
            )
        wrote = int(pico.stats()["host_writes"])
    # Back on the cart's port: the host reconnects and writes to the board again.
    deadline = time.monotonic() + timeout
    while int(pico.stats()["host_writes"]) == wrote:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no host wrote to the board on {board.link_path} within {timeout:.0f} s")
        time.sleep(0.02)
    pico.run_for(500)  # every task has run, on the board's clock: healthy, feeding the watchdog
    return pico.set_input(STALL_GPIO, True)
