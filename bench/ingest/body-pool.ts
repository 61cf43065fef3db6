/**
 * The pool of distinct request bodies, generated once per run into a file (one body per line)
 * that every load-generator process reads, so floor and Attune receive the same bodies.
 *
 * Request number `n` is body `n % size` with `n` written into the slot of each messageId:
 * the same request number always gives the same bytes (a request can be re-sent exactly),
 * and different request numbers never share a messageId.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { BatchGenerator, messagesPerBatch, slotMarker, slotWidth } from './payloads.js';

export interface PoolStats {
  bodies: number;
  bytes: number;
  meanBodyBytes: number;
  meanMessageBytes: number;
  seed: number;
}

/** Writes `count` distinct batch bodies to `file`. */
export function writePool(file: string, count: number, seed: number): PoolStats {
  const generator = new BatchGenerator(seed);
  const sentAt = new Date();
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const line = Buffer.from(`${generator.batch(sentAt)}\n`);
      writeSync(fd, line);
      bytes += line.length - 1;
    }
  } finally {
    closeSync(fd);
  }
  return {
    bodies: count,
    bytes,
    meanBodyBytes: bytes / count,
    meanMessageBytes: bytes / count / messagesPerBatch,
    seed,
  };
}

export class BodyPool {
  private constructor(
    private readonly bodies: Buffer[],
    /** Byte positions of the messageId slots, `messagesPerBatch` per body. */
    private readonly slots: Int32Array[],
  ) {}

  static read(file: string): BodyPool {
    const all = readFileSync(file);
    const bodies: Buffer[] = [];
    const slots: Int32Array[] = [];
    for (let start = 0; start < all.length;) {
      const end = all.indexOf(0x0a, start);
      const body = all.subarray(start, end < 0 ? all.length : end);
      const positions = new Int32Array(messagesPerBatch);
      let found = 0;
      let at = body.indexOf(slotMarker);
      while (at >= 0) {
        if (found === messagesPerBatch) throw new Error(`body ${bodies.length}: too many slots`);
        positions[found++] = at;
        at = body.indexOf(slotMarker, at + slotWidth);
      }
      if (found !== messagesPerBatch)
        throw new Error(`body ${bodies.length}: ${found} messageId slots`);
      bodies.push(body);
      slots.push(positions);
      start = end < 0 ? all.length : end + 1;
    }
    if (bodies.length === 0) throw new Error(`${file} holds no bodies`);
    return new BodyPool(bodies, slots);
  }

  get size(): number {
    return this.bodies.length;
  }

  /**
   * The body of request `n`. It is stamped in place: valid until the same pool entry is
   * stamped again, so copy it (autocannon does, when it builds the request) before then.
   */
  body(n: number): Buffer {
    const index = n % this.bodies.length;
    const body = this.bodies[index]!;
    const stamp = n.toString(16).padStart(slotWidth, '0');
    if (stamp.length > slotWidth) throw new Error(`request number ${n} does not fit a slot`);
    for (const at of this.slots[index]!) body.write(stamp, at, 'latin1');
    return body;
  }
}
