// One emulated Raspberry Pi Pico: an RP2040 (rp2040js) with its boot ROM, the persisted flash,
// USB serial to a host, input pins a test drives, output pins it watches, real resets.
//
// Every boot is a fresh chip, as after a real reset: SRAM, peripherals and the timer start
// again (the firmware's ticks_ms restarts at 0); the flash is the persisted one. A reset keeps
// what the silicon keeps: the watchdog's REASON register (TIMER after an expiry, FORCE after
// machine.reset()) and its scratch registers, so machine.reset_cause() reads WDT_RESET; and
// CHIP_RESET in VREG_AND_CHIP_RESET, which says whether the last chip-level reset was power-on
// (HAD_POR) or the RUN pin (HAD_RUN). rp2040js leaves that block unimplemented (reads all ones).
//
// Emulated time is paced to wall time: it never runs ahead (a sleeping firmware waits for the
// wall clock) and, when busy code (or a loaded host) has made it fall behind, it catches up while
// the core sleeps, at most CATCH_UP times as fast as the wall clock. What the host does (pin
// changes, USB data) reaches the chip at the instant of the chip's own clock at which the
// emulator reads it, in the order the host did it: on a loaded host the board's clock runs
// behind the wall clock, and a host's answer to what the board sent is then seen by the board
// as soon after it as the host took, on the board's own clock, not a lag later. Edges given in
// one command keep their intervals exactly (a tap of 120 ms is 120 ms on the board's clock).

import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** CLOCK_MONOTONIC in ns: the clock of the parent's time.monotonic_ns() on Linux. */
export function monotonicNs() {
  return Number(process.hrtime.bigint());
}
import { BasePeripheral, GPIOPinState, RP2040 } from 'rp2040js';
import { FlashStore, PAGE_PROGRAM_NS, SECTOR_ERASE_NS, romFunction } from './flash.mjs';
import { USBSerial } from './usb_serial.mjs';
import { WS2812Decoder } from './ws2812.mjs';

const CYCLE_NS = 8; // 125 MHz
const BATCH = 20_000; // instructions between looks at the wall clock
const SLICE_MS = 5; // longest run before I/O (host commands, USB data) gets a turn
const MAX_SLEEP_MS = 20;
// While behind the wall clock, the chip's clock runs at most this many times as fast as it, with a
// burst of at most CATCH_UP_BURST_NS more (after the emulator was stopped or starved for a while):
// a host interval then reaches the chip at most 2x + 100 ms longer on its clock (the host's 200 ms
// heartbeats stay under the firmware's 700 ms host timeout, firmware/link.py).
const CATCH_UP = 2;
const CATCH_UP_BURST_NS = 100e6;
const WATCHDOG_BASE_KEY = 0x40058;
const VREG_AND_CHIP_RESET_KEY = 0x40064;
const ROSC_KEY = 0x40060;
const ROSC_RANDOMBIT = 0x1c;
const HAD_POR = 1 << 8;
const HAD_RUN = 1 << 16;
const REASON_TIMER = 1;
const REASON_FORCE = 2;

class VregAndChipReset extends BasePeripheral {
  constructor(rp2040, chipReset) {
    super(rp2040, 'VREG_AND_CHIP_RESET_BASE');
    this.vreg = 0xb1; // reset values (RP2040 datasheet 2.10.7)
    this.bod = 0x91;
    this.chipReset = chipReset;
  }

  readUint32(offset) {
    switch (offset) {
      case 0x0:
        return this.vreg;
      case 0x4:
        return this.bod;
      case 0x8:
        return this.chipReset;
      default:
        return 0;
    }
  }

  writeUint32(offset, value) {
    if (offset === 0x0) {
      this.vreg = value & 0x10f3;
    } else if (offset === 0x4) {
      this.bod = value & 0xf1;
    }
  }
}

// The ring oscillator, kept to what firmware reads of it: RANDOMBIT, the jitter of a free-running
// oscillator that os.urandom() (pico_rand) draws on. Left unimplemented (all ones), every boot
// of the emulated chip would get the same "random" numbers, such as the firmware's boot id.
class RingOscillator extends BasePeripheral {
  constructor(rp2040) {
    super(rp2040, 'ROSC_BASE');
    this.registers = new Map();
  }

  readUint32(offset) {
    if (offset === ROSC_RANDOMBIT) {
      return randomInt(2);
    }
    return this.registers.get(offset) ?? 0xffffffff; // as before: enabled, stable
  }

  writeUint32(offset, value) {
    this.registers.set(offset, value);
  }
}

const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error(component, message) {
    process.stderr.write(`rp2040 [${component}] ${message}\n`);
  },
};

export class Board {
  /**
   * @param {{bootrom: Uint8Array, flashPath: string, uf2Path: string, emit: (event: object) => void,
   *          serial: (bytes: Uint8Array) => void, enumerateMs?: number}} options
   */
  constructor({ bootrom, flashPath, uf2Path, emit, serial, enumerateMs = 0 }) {
    this.enumerateNs = enumerateMs * 1e6;
    this.bootrom = new Uint32Array(bootrom.buffer.slice(bootrom.byteOffset, bootrom.byteOffset + 16384));
    this.eraseAt = romFunction(bootrom, 'RE') & ~1;
    this.programAt = romFunction(bootrom, 'RP') & ~1;
    this.flash = new FlashStore(flashPath, uf2Path);
    this.emit = emit;
    this.serial = serial;
    this.inputs = new Map(); // gpio -> level, applied at every boot (pulls are not modelled)
    this.watched = new Set(); // gpio whose edges are reported
    this.ws2812 = new Set(); // gpio decoded as a WS2812 data line
    this.chip = null;
    this.usb = null;
    this.decoders = [];
    this.timer = null;
    this.immediate = null;
    this.pendingReset = null;
    this.boots = 0;
    this.lagNs = 0; // largest amount emulated time fell behind wall time this boot
    this.maxLagNs = 0; // ... and since the emulator started
    this.sleptNs = 0; // emulated time the core spent asleep (WFI/WFE) this boot
    this.hostSeenNs = 0; // the chip's clock when it last got bytes from the host this boot
    this.hostWrites = 0; // ... and how many writes it got
    this.lookWallNs = 0; // wall and chip time at the last look at the wall clock (pacing)
    this.lookChipNs = 0;
    this.creditNs = 0; // how much further the chip's clock may run while it catches up
  }

  // -- lifecycle ----------------------------------------------------------------------------------
  powerOn() {
    if (this.chip === null) {
      this.boot('power_on', { reason: 0, scratch: new Uint32Array(8), chipReset: HAD_POR });
    }
  }

  powerOff() {
    this.halt();
    this.emit({ ev: 'off' });
  }

  /** The RUN pin pulled low and released: a chip-level reset that keeps nothing but the flash. */
  resetPin() {
    this.halt();
    this.boot('run_pin', { reason: 0, scratch: new Uint32Array(8), chipReset: HAD_RUN });
  }

  halt() {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (this.chip !== null) {
      this.chip = null;
      this.usb = null;
      this.emit({ ev: 'usb', up: false });
    }
  }

  boot(cause, kept) {
    const chip = new RP2040();
    chip.logger = quietLogger;
    chip.loadBootrom(this.bootrom);
    this.flash.loadInto(chip.flash);
    chip.peripherals[VREG_AND_CHIP_RESET_KEY] = new VregAndChipReset(chip, kept.chipReset);
    chip.peripherals[ROSC_KEY] = new RingOscillator(chip);
    const watchdog = chip.peripherals[WATCHDOG_BASE_KEY];
    watchdog.reason = kept.reason;
    watchdog.scratchData.set(kept.scratch);
    watchdog.onWatchdogTrigger = () => {
      // rp2040js re-arms the expired alarm 0 ns ahead, firing it forever inside one clock.tick():
      // stop it, the chip is about to be replaced anyway.
      watchdog.alarm.enable = false;
      if (this.chip === chip && this.pendingReset === null) {
        this.pendingReset = {
          reason: watchdog.reason,
          scratch: Uint32Array.from(watchdog.scratchData),
          chipReset: chip.peripherals[VREG_AND_CHIP_RESET_KEY].chipReset,
        };
      }
    };
    for (const [gpio, level] of this.inputs) {
      chip.gpio[gpio].setInputValue(level);
    }
    this.decoders = [];
    for (const gpio of this.watched) {
      this.watchPin(chip, gpio);
    }
    for (const gpio of this.ws2812) {
      this.decodePin(chip, gpio);
    }
    this.usb = new USBSerial(chip.usbCtrl, {
      onConnected: () => this.emit({ ev: 'usb', up: true, t_ms: this.boardMs() }),
      onData: (bytes) => this.serial(bytes),
    }, this.enumerateNs);
    chip.core.PC = 0x10000000; // boot2 at the start of flash, as the ROM would jump to it
    this.chip = chip;
    this.boots += 1;
    this.lagNs = 0;
    this.sleptNs = 0;
    this.hostSeenNs = 0;
    this.hostWrites = 0;
    this.lookWallNs = 0;
    this.lookChipNs = 0;
    this.creditNs = 0;
    this.wallStart = monotonicNs();
    // mono_ns: the CLOCK_MONOTONIC instant the board's clock counts from (t_ms 0 of this boot)
    this.emit({ ev: 'boot', cause, boot: this.boots, reason: kept.reason, mono_ns: this.wallStart });
    this.schedule(0);
  }

  // -- pins ---------------------------------------------------------------------------------------
  // A test drives inputs; the chip sees each change at its clock's instant when the emulator reads
  // the command (behind the wall clock on a loaded host), edges of one command at their intervals.

  /** Set each input of ``levels`` (Map gpio -> level) at the same instant, the chip's now; return
   *  that board time (ms). */
  setInputs(levels) {
    let at = 0;
    for (const [gpio, level] of levels) {
      at = this.scheduleEdges(gpio, [[0, level]]);
    }
    return at;
  }

  /** Drive ``gpio`` through ``edges`` ([[delay_us, level], ...] from the chip's now); return the
   *  board time (ms) of that now. */
  scheduleEdges(gpio, edges) {
    if (edges.length) {
      this.inputs.set(gpio, edges[edges.length - 1][1]);
    }
    const chip = this.chip;
    if (chip === null) {
      return 0;
    }
    const startNs = chip.clock.nanos;
    for (const [delayUs, level] of edges) {
      const apply = () => {
        if (this.chip === chip) {
          chip.gpio[gpio].setInputValue(level);
        }
      };
      if (delayUs <= 0) {
        apply();
      } else {
        chip.clock.createAlarm(apply).schedule(delayUs * 1000);
      }
    }
    this.wake();
    return startNs / 1e6;
  }

  watch(gpio) {
    this.watched.add(gpio);
    if (this.chip !== null) {
      this.watchPin(this.chip, gpio);
    }
  }

  decode(gpio) {
    this.ws2812.add(gpio);
    if (this.chip !== null) {
      this.decodePin(this.chip, gpio);
    }
  }

  watchPin(chip, gpio) {
    let last = null;
    chip.gpio[gpio].addListener((state) => {
      const level = state === GPIOPinState.High ? 1 : state === GPIOPinState.Low ? 0 : null;
      if (level !== null && level !== last && this.chip === chip) {
        last = level;
        this.emit({ ev: 'pin', pin: gpio, level, t_ms: this.boardMs() });
      }
    });
  }

  decodePin(chip, gpio) {
    const decoder = new WS2812Decoder((pixels, nanos) => {
      this.emit({ ev: 'ws2812', pin: gpio, pixels, t_ms: nanos / 1e6 });
    });
    this.decoders.push(decoder);
    chip.gpio[gpio].addListener((state) => {
      if (this.chip === chip) {
        decoder.edge(state === GPIOPinState.High, chip.clock.nanos);
      }
    });
  }

  // -- USB serial ---------------------------------------------------------------------------------
  /** Bytes from the host, seen by the chip now on its own clock (recorded: ``host_seen_ms``), after
   *  every pin change the host made before them. The firmware's host timeout compares such times:
   *  a host answering at once is on time on the board's clock however far it runs behind. */
  hostWrite(bytes) {
    const { chip, usb } = this;
    if (usb === null || !usb.connected) {
      return;
    }
    this.hostSeenNs = chip.clock.nanos;
    this.hostWrites += 1;
    usb.write(bytes);
    this.wake();
  }

  // -- time ---------------------------------------------------------------------------------------
  /** The firmware's clock: milliseconds since this boot (its time.ticks_ms(), unwrapped). */
  boardMs() {
    return this.chip === null ? 0 : this.chip.clock.nanos / 1e6;
  }

  /** Wall time since this boot (ns): where emulated time should be. */
  wallNs() {
    return monotonicNs() - this.wallStart;
  }

  /** How far the chip's clock may run now (ns since boot, its clock ``chipNs``) at wall time ``wall``:
   *  up to the wall clock and, while behind it, by the credit: CATCH_UP times the wall time that
   *  passed, less what the chip's clock ran, kept to at most CATCH_UP_BURST_NS (a token bucket). */
  paceNs(wall, chipNs) {
    const earned = CATCH_UP * (wall - this.lookWallNs) - (chipNs - this.lookChipNs);
    this.creditNs = Math.min(this.creditNs + earned, CATCH_UP_BURST_NS);
    this.lookWallNs = wall;
    this.lookChipNs = chipNs;
    return Math.max(Math.min(wall, chipNs + this.creditNs), chipNs);
  }

  schedule(ms) {
    if (ms <= 0) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.run();
      });
    } else {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.run();
      }, ms);
    }
  }

  /** Something happened that the firmware should see now (host data): end a sleep early. */
  wake() {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.schedule(0);
    }
  }

  run() {
    const chip = this.chip;
    if (chip === null) {
      return;
    }
    const { core, clock } = chip;
    const { eraseAt, programAt } = this;
    const sliceEnd = performance.now() + SLICE_MS;
    for (;;) {
      const wall = this.wallNs();
      if (clock.nanos > wall) {
        this.pollDecoders(clock.nanos);
        this.schedule((clock.nanos - wall) / 1e6);
        return;
      }
      this.lagNs = Math.max(this.lagNs, wall - clock.nanos);
      this.maxLagNs = Math.max(this.maxLagNs, this.lagNs);
      const pace = this.paceNs(wall, clock.nanos);
      for (let i = 0; i < BATCH; i++) {
        if (core.waiting) {
          const next = clock.nextAlarm;
          const toNext = next ? next.nanos - clock.nanos : Infinity;
          const room = pace - clock.nanos;
          if (toNext <= room) {
            this.sleptNs += Math.max(toNext, 0);
            clock.tick(Math.max(toNext, 0));
            if (this.pendingReset !== null) {
              this.watchdogReset(chip); // the watchdog expired while the core slept
              return;
            }
            continue;
          }
          if (room > 0) {
            this.sleptNs += room;
            clock.tick(room); // asleep: emulated time follows the wall clock to the next alarm
          }
          this.pollDecoders(clock.nanos);
          this.schedule(Math.min((toNext - room) / 1e6, MAX_SLEEP_MS));
          return;
        }
        const pc = core.registers[15];
        if (pc === eraseAt || pc === programAt) {
          this.flashCall(chip, pc === eraseAt);
          continue;
        }
        const dt = core.executeInstruction() * CYCLE_NS;
        const next = clock.nextAlarm;
        if (next === null || next.nanos > clock.nanosCounter + dt) {
          clock.nanosCounter += dt; // SimulationClock.tick() without an alarm due: the common case
        } else {
          clock.tick(dt);
        }
        if (this.pendingReset !== null) {
          this.watchdogReset(chip);
          return;
        }
      }
      if (performance.now() > sliceEnd) {
        this.pollDecoders(clock.nanos);
        this.schedule(0);
        return;
      }
    }
  }

  pollDecoders(nanos) {
    for (const d of this.decoders) {
      d.poll(nanos);
    }
  }

  /** The ROM's flash_range_erase(offs, count, block, cmd) or flash_range_program(offs, data, count). */
  flashCall(chip, erase) {
    const { core, clock } = chip;
    const r = core.registers;
    const offset = r[0] >>> 0;
    if (erase) {
      const count = r[1] >>> 0;
      this.flash.erase(offset, count, chip.flash);
      clock.tick(Math.ceil(count / 4096) * SECTOR_ERASE_NS);
    } else {
      const src = r[1] >>> 0;
      const count = r[2] >>> 0;
      const data = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        data[i] = chip.readUint8(src + i);
      }
      this.flash.program(offset, data, chip.flash);
      clock.tick(Math.ceil(count / 256) * PAGE_PROGRAM_NS);
    }
    core.PC = core.LR & ~1; // return to the caller
  }

  watchdogReset(chip) {
    const kept = this.pendingReset;
    this.pendingReset = null;
    const reason = kept.reason & REASON_TIMER ? 'timer' : kept.reason & REASON_FORCE ? 'force' : 'none';
    this.emit({ ev: 'watchdog', reason, t_ms: chip.clock.nanos / 1e6 });
    this.halt();
    this.boot(reason === 'timer' ? 'watchdog' : 'watchdog_force', kept);
  }

  stats() {
    return {
      boots: this.boots,
      t_ms: this.boardMs(),
      lag_ms: this.lagNs / 1e6,
      max_lag_ms: this.maxLagNs / 1e6,
      slept_ms: this.sleptNs / 1e6, // with t_ms: how busy the firmware keeps the chip
      lag_now_ms: this.chip === null ? 0 : Math.max(0, this.wallNs() - this.chip.clock.nanos) / 1e6,
      host_seen_ms: this.hostSeenNs / 1e6, // the board's clock at the host's last bytes
      host_writes: this.hostWrites,
      boot_mono_ns: this.chip === null ? 0 : this.wallStart,
      on: this.chip !== null,
    };
  }

  close() {
    this.halt();
    this.flash.close();
  }
}
