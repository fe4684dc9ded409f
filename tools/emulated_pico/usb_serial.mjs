// The USB host's end of the board's CDC serial port.
//
// rp2040js's USBCDC enumerates the device, raises DTR and hands us what the device sends. Its
// OUT side answers every read the device arms at once, with 0 bytes when the host has nothing:
// the firmware then takes an interrupt about every 10 us while idle, which slows everything down
// (a raw-REPL round trip 88 ms instead of 5 ms). A real host NAKs instead: here a read the device
// arms while nothing is queued is held until the host has data. Host bytes wait in an unbounded
// queue, not the model's 512-byte FIFO, so a large write is never dropped. The host starts
// enumerating ``enumerateNs`` after the device connects, as a real host's USB stack and udev
// take a moment before the port has a name.

import { USBCDC } from 'rp2040js';

export class USBSerial {
  /**
   * @param {import('rp2040js').RPUSBController} usb the chip's USB controller
   * @param {{onConnected: () => void, onData: (bytes: Uint8Array) => void}} host callbacks
   * @param {number} enumerateNs emulated time from the device connecting to the host enumerating it
   */
  constructor(usb, host, enumerateNs) {
    this.usb = usb;
    this.queue = [];
    this.queued = 0;
    this.heldRead = null; // {endpoint, size} armed by the device while the queue was empty
    this.connected = false;
    const cdc = new USBCDC(usb);
    this.cdc = cdc;
    cdc.onDeviceConnected = () => {
      this.connected = true;
      host.onConnected();
    };
    cdc.onSerialData = (bytes) => host.onData(bytes);
    const enumerate = usb.rp2040.clock.createAlarm(() => usb.resetDevice());
    usb.onUSBEnabled = () => enumerate.schedule(enumerateNs);
    usb.onEndpointRead = (endpoint, size) => {
      if (endpoint !== cdc.outEndpoint) {
        return;
      }
      if (this.queued === 0) {
        this.heldRead = { endpoint, size };
      } else {
        this.serve(endpoint, size);
      }
    };
  }

  /** Bytes from the host program: delivered as the device reads them. */
  write(bytes) {
    if (!bytes.length) {
      return;
    }
    this.queue.push(bytes);
    this.queued += bytes.length;
    if (this.heldRead !== null) {
      const { endpoint, size } = this.heldRead;
      this.heldRead = null;
      this.serve(endpoint, size);
    }
  }

  serve(endpoint, size) {
    const n = Math.min(size, this.queued);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.queue[0];
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) {
        this.queue.shift();
      } else {
        this.queue[0] = head.subarray(take);
      }
    }
    this.queued -= n;
    this.usb.endpointReadDone(endpoint, out);
  }
}
