// The board's 2 MiB QSPI flash, kept in a file so that it survives resets, power cycles and
// restarts of the emulator, as a real chip's flash does.
//
// rp2040js reads flash from an array but does not emulate erasing or programming it (littlefs
// then fails with ENODEV). The pico-sdk erases and programs through two boot ROM functions,
// found by their two-letter codes in the ROM's function table; the board traps calls to them
// and applies them here, to the chip's array and to the file.

import { closeSync, existsSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { decodeBlock } from 'uf2';

export const FLASH_BYTES = 2 * 1024 * 1024; // W25Q16JV on the Raspberry Pi Pico
const XIP_BASE = 0x10000000;
const UF2_BLOCK = 512;

// Datasheet typical times (W25Q16JV): 4 KiB sector erase 45 ms, 256-byte page program 0.4 ms.
export const SECTOR_ERASE_NS = 45e6;
export const PAGE_PROGRAM_NS = 0.4e6;

/** Address of the boot ROM function with the two-character ``code`` (e.g. "RE"), or null. */
export function romFunction(bootrom, code) {
  const rom = new DataView(bootrom.buffer, bootrom.byteOffset, bootrom.byteLength);
  const want = code.charCodeAt(0) | (code.charCodeAt(1) << 8);
  let entry = rom.getUint16(0x14, true); // rom_func_table
  for (;;) {
    const c = rom.getUint16(entry, true);
    if (c === 0) {
      return null;
    }
    if (c === want) {
      return rom.getUint16(entry + 2, true);
    }
    entry += 4;
  }
}

export class FlashStore {
  /**
   * @param {string} path the flash image file; created from ``uf2Path`` when missing
   * @param {string} uf2Path the MicroPython image, written into a blank (erased) flash
   */
  constructor(path, uf2Path) {
    this.path = path;
    if (!existsSync(path)) {
      const blank = new Uint8Array(FLASH_BYTES).fill(0xff);
      const uf2 = readFileSync(uf2Path);
      const raw = new Uint8Array(UF2_BLOCK); // uf2's decodeBlock reads from the start of .buffer
      for (let off = 0; off + UF2_BLOCK <= uf2.length; off += UF2_BLOCK) {
        raw.set(uf2.subarray(off, off + UF2_BLOCK));
        const block = decodeBlock(raw);
        const at = block.flashAddress - XIP_BASE;
        if (at < 0 || at + block.payload.length > FLASH_BYTES) {
          throw new Error(`UF2 block ${block.blockNumber} outside the flash: ${block.flashAddress}`);
        }
        blank.set(block.payload, at);
      }
      const fd = openSync(path, 'w');
      writeSync(fd, blank, 0, blank.length, 0);
      closeSync(fd);
    }
    this.fd = openSync(path, 'r+');
    this.bytes = new Uint8Array(FLASH_BYTES);
    const got = readSync(this.fd, this.bytes, 0, FLASH_BYTES, 0);
    if (got !== FLASH_BYTES) {
      throw new Error(`${path}: ${got} bytes, a flash image has ${FLASH_BYTES}`);
    }
  }

  /** Copy the stored contents into a chip's flash array. */
  loadInto(chipFlash) {
    chipFlash.set(this.bytes, 0);
  }

  erase(offset, count, chipFlash) {
    this.check(offset, count);
    this.bytes.fill(0xff, offset, offset + count);
    chipFlash.fill(0xff, offset, offset + count);
    writeSync(this.fd, this.bytes, offset, count, offset);
  }

  /** Program ``data`` at ``offset``: like NOR flash, a write can only clear bits. */
  program(offset, data, chipFlash) {
    this.check(offset, data.length);
    for (let i = 0; i < data.length; i++) {
      this.bytes[offset + i] &= data[i];
    }
    chipFlash.set(this.bytes.subarray(offset, offset + data.length), offset);
    writeSync(this.fd, this.bytes, offset, data.length, offset);
  }

  check(offset, count) {
    if (offset < 0 || count < 0 || offset + count > FLASH_BYTES) {
      throw new Error(`flash access outside the chip: offset ${offset} count ${count}`);
    }
  }

  close() {
    closeSync(this.fd);
  }
}
