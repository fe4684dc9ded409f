#!/usr/bin/env node
// An emulated Raspberry Pi Pico for firmware tests: the official MicroPython rp2 image on
// rp2040js, driven by one parent process over stdin/stdout.
//
//   node emulator.mjs --rp2-dir DIR --flash FILE [--enumerate-ms MS]
//
// DIR holds micropython-v1.28.0-RPI_PICO.uf2 and rp2040-bootrom-b1.bin (default: the
// SONOCART_RP2_DIR environment variable). FILE is the board's flash, created from the UF2 when
// missing and kept up to date with every erase and program. MS: how long after the board's USB
// device connects the host enumerates it (default 0).
//
// Both directions carry frames: one type byte, a 32-bit little-endian length, the payload.
//   to the board:   'S' bytes the USB host sent      'C' a JSON command
//   from the board: 'S' bytes the board sends        'E' a JSON event
// What the host does reaches the chip at the instant of the chip's own clock at which it is read
// here, in order (see board.mjs): a loaded host slows the chip's clock, not the host's answers.
// Commands (each answered by {"ev": "ok", "id": ...} or {"ev": "error", ...}):
//   {"cmd": "inputs", "levels": {"2": 1, "4": 0}}       drive input pins, all at once, now
//   {"cmd": "edges", "pin": 2, "edges": [[us, 0|1], ...]} drive it through edges from now
//   (both answer "t_ms": the board time of that now)
//   {"cmd": "watch", "pin": 15}                          report its edges as "pin" events
//   {"cmd": "ws2812", "pin": 16}                         decode it as a WS2812 data line
//   {"cmd": "power", "on": true|false}   {"cmd": "reset"} (the RUN pin)   {"cmd": "stats"}
// Events: boot, usb (up/down), pin, ws2812, watchdog, off; times "t_ms" are the board's own
// milliseconds since its last reset (what its time.ticks_ms() returns, unwrapped); a boot
// event's "mono_ns" is the CLOCK_MONOTONIC instant that t_ms 0 of that boot stands for.
// The emulator exits when its stdin closes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Board } from './board.mjs';

export const UF2_NAME = 'micropython-v1.28.0-RPI_PICO.uf2';
export const BOOTROM_NAME = 'rp2040-bootrom-b1.bin';

// stdout carries frames only: library logging goes to stderr.
for (const name of ['log', 'info', 'debug', 'warn']) {
  console[name] = (...args) => process.stderr.write(args.join(' ') + '\n');
}

function frame(type, payload) {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(payload.length, 1);
  process.stdout.write(Buffer.concat([head, payload]));
}

function emit(event) {
  frame('E', Buffer.from(JSON.stringify(event)));
}

function main() {
  const { values } = parseArgs({
    options: {
      'rp2-dir': { type: 'string' },
      flash: { type: 'string' },
      'enumerate-ms': { type: 'string', default: '0' },
    },
  });
  const dir = values['rp2-dir'] ?? process.env.SONOCART_RP2_DIR;
  if (!dir || !values.flash) {
    process.stderr.write('usage: emulator.mjs --rp2-dir DIR --flash FILE\n');
    process.exit(2);
  }
  const board = new Board({
    bootrom: new Uint8Array(readFileSync(join(dir, BOOTROM_NAME))),
    flashPath: values.flash,
    uf2Path: join(dir, UF2_NAME),
    emit,
    serial: (bytes) => frame('S', Buffer.from(bytes)),
    enumerateMs: Number(values['enumerate-ms']),
  });

  const commands = {
    inputs: (c) => ({
      t_ms: board.setInputs(new Map(Object.entries(c.levels).map(([pin, level]) => [Number(pin), !!level]))),
    }),
    edges: (c) => ({
      t_ms: board.scheduleEdges(
        c.pin,
        c.edges.map(([us, level]) => [us, !!level]),
      ),
    }),
    watch: (c) => board.watch(c.pin),
    ws2812: (c) => board.decode(c.pin),
    power: (c) => (c.on ? board.powerOn() : board.powerOff()),
    reset: () => board.resetPin(),
    stats: () => board.stats(),
  };

  function command(text) {
    let c = {};
    try {
      c = JSON.parse(text);
      const handler = commands[c.cmd];
      if (!handler) {
        throw new Error(`unknown command ${JSON.stringify(c.cmd)}`);
      }
      emit({ ev: 'ok', id: c.id, ...(handler(c) ?? {}) });
    } catch (err) {
      emit({ ev: 'error', id: c.id, message: String(err && err.message ? err.message : err) });
    }
  }

  let pending = Buffer.alloc(0);
  process.stdin.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 5) {
      const length = pending.readUInt32LE(1);
      if (pending.length < 5 + length) {
        break;
      }
      const type = String.fromCharCode(pending[0]);
      const payload = pending.subarray(5, 5 + length);
      pending = pending.subarray(5 + length);
      if (type === 'S') {
        board.hostWrite(new Uint8Array(payload));
      } else if (type === 'C') {
        command(payload.toString('utf8'));
      }
    }
  });
  process.stdin.on('end', () => {
    board.close();
    process.exit(0);
  });
  emit({ ev: 'ready' });
}

main();
