/**
 * An in-memory index from message fingerprints to log offsets, for dedup within a time
 * window. It answers "which offsets may hold this message?"; the caller confirms against
 * the stored event, so fingerprint collisions never drop data.
 *
 * Why in memory: messageIds are random, so a B-tree index of them takes a random page
 * write per event — several times the cost of appending the event itself. This index is
 * derived state (rebuilt from the log on start) and costs about 8–16 bytes per event in
 * the window.
 *
 * Entries live in generations covering `generationMs` each; a generation whose newest
 * entry has left the window is dropped whole, which keeps expiry O(1) per generation.
 */
export class MessageIdIndex {
  private readonly generations: Generation[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly generationMs: number = Math.max(1, Math.floor(windowMs / 7)),
  ) {}

  /** Offsets whose fingerprint matches, newest generation first. */
  candidates(fingerprint: number): number[] {
    const found: number[] = [];
    for (let g = this.generations.length - 1; g >= 0; g--) {
      (this.generations[g] as Generation).collect(fingerprint, found);
    }
    return found;
  }

  add(fingerprint: number, offset: number, receivedAt: number): void {
    let current = this.generations[this.generations.length - 1];
    if (
      current === undefined ||
      receivedAt >= current.startedAt + this.generationMs ||
      offset < current.baseOffset ||
      offset - current.baseOffset > maxRelativeOffset
    ) {
      current = new Generation(receivedAt, offset);
      this.generations.push(current);
    }
    current.add(fingerprint, offset, receivedAt);
  }

  /** Drops generations entirely older than the window at `now`. */
  expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.generations.length > 0 && (this.generations[0] as Generation).newestAt < cutoff) {
      this.generations.shift();
    }
  }

  get size(): number {
    return this.generations.reduce((n, g) => n + g.count, 0);
  }

  get bytes(): number {
    return this.generations.reduce((n, g) => n + g.bytes, 0);
  }
}

const initialCapacity = 1024;
const maxRelativeOffset = 2 ** 32 - 1;

/** Open addressing with linear probing; offsets stored relative to the generation's first. */
class Generation {
  private fingerprints = new Uint32Array(initialCapacity);
  private offsets = new Uint32Array(initialCapacity);
  private mask = initialCapacity - 1;
  count = 0;
  newestAt: number;

  constructor(
    readonly startedAt: number,
    readonly baseOffset: number,
  ) {
    this.newestAt = startedAt;
  }

  get bytes(): number {
    return this.fingerprints.byteLength + this.offsets.byteLength;
  }

  add(fingerprint: number, offset: number, receivedAt: number): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.place(fingerprint, offset - this.baseOffset);
    this.count++;
    if (receivedAt > this.newestAt) this.newestAt = receivedAt;
  }

  collect(fingerprint: number, into: number[]): void {
    const { fingerprints, offsets, mask } = this;
    for (let slot = fingerprint & mask; ; slot = (slot + 1) & mask) {
      const stored = fingerprints[slot] as number;
      if (stored === 0) return;
      if (stored === fingerprint) into.push((offsets[slot] as number) + this.baseOffset);
    }
  }

  private place(fingerprint: number, relative: number): void {
    const { fingerprints, mask } = this;
    let slot = fingerprint & mask;
    while (fingerprints[slot] !== 0) slot = (slot + 1) & mask;
    fingerprints[slot] = fingerprint;
    this.offsets[slot] = relative;
  }

  private grow(): void {
    const oldFingerprints = this.fingerprints;
    const oldOffsets = this.offsets;
    const capacity = oldFingerprints.length * 2;
    this.fingerprints = new Uint32Array(capacity);
    this.offsets = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < oldFingerprints.length; i++) {
      const f = oldFingerprints[i] as number;
      if (f !== 0) this.place(f, oldOffsets[i] as number);
    }
  }
}
