// Decode a WS2812 (NeoPixel) bitstream from the edges of one output pin.
//
// A bit is a high pulse followed by a low one: T0H about 400 ns, T1H about 800 ns (the
// datasheet's 0.4/0.8 us; MicroPython's neopixel module sends 400/850 ns). A pulse longer than
// the midpoint is a 1. A low level held for the latch time (50 us) ends a frame; each 24 bits of
// a frame are one pixel in G, R, B order, most significant bit first.

const ONE_THRESHOLD_NS = 625;
const LATCH_NS = 50_000;

export class WS2812Decoder {
  /** @param {(pixels: number[][], atNanos: number) => void} onFrame called once per latched frame */
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.bits = [];
    this.highSince = null;
    this.lastFall = null;
  }

  /** Feed one edge of the data pin: its new level and the emulated time of the edge. */
  edge(high, nanos) {
    if (high) {
      if (this.lastFall !== null && nanos - this.lastFall >= LATCH_NS) {
        this.flush(this.lastFall + LATCH_NS);
      }
      this.highSince = nanos;
    } else if (this.highSince !== null) {
      this.bits.push(nanos - this.highSince > ONE_THRESHOLD_NS ? 1 : 0);
      this.highSince = null;
      this.lastFall = nanos;
    }
  }

  /** Emit the frame in progress if the line has been low for the latch time by ``nanos``. */
  poll(nanos) {
    if (this.bits.length && this.lastFall !== null && nanos - this.lastFall >= LATCH_NS) {
      this.flush(this.lastFall + LATCH_NS);
    }
  }

  flush(atNanos) {
    const pixels = [];
    for (let i = 0; i + 24 <= this.bits.length; i += 24) {
      let word = 0;
      for (let b = 0; b < 24; b++) {
        word = (word << 1) | this.bits[i + b];
      }
      const g = (word >> 16) & 0xff;
      const r = (word >> 8) & 0xff;
      const bl = word & 0xff;
      pixels.push([r, g, bl]);
    }
    this.bits = [];
    this.lastFall = null;
    if (pixels.length) {
      this.onFrame(pixels, atNanos);
    }
  }
}
