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
/**
 * Slots of the previous table moved per add while a generation grows. A table is replaced
 * at 3/4 full by one twice its size, which is 3/4 full again after 3/4 of the old capacity
 * more adds; at 4 slots per add the move is done after 1/4 of that.
 */
const slotsMovedPerAdd = 4;

interface Table {
  fingerprints: Uint32Array;
  offsets: Uint32Array;
  mask: number;
}

/**
 * Open addressing with linear probing; offsets stored relative to the generation's first.
 *
 * Growing moves the entries a few per add instead of all at once: a generation holds every
 * message of hours of traffic, and rehashing millions of entries in one go stalled the log
 * writer, and with it every ingest acknowledgement, for hundreds of ms (about 0.3 s at 3M
 * entries, twice that at each doubling).
 */
class Generation {
  private table: Table = newTable(initialCapacity);
  /** The table before the last growth, while its entries move to `table`. */
  private previous: Table | null = null;
  /** Slots of `previous` below this have been moved. */
  private moved = 0;
  count = 0;
  newestAt: number;

  constructor(
    readonly startedAt: number,
    readonly baseOffset: number,
  ) {
    this.newestAt = startedAt;
  }

  get bytes(): number {
    const tableBytes = (t: Table | null) =>
      t === null ? 0 : t.fingerprints.byteLength + t.offsets.byteLength;
    return tableBytes(this.table) + tableBytes(this.previous);
  }

  add(fingerprint: number, offset: number, receivedAt: number): void {
    if (this.previous !== null) this.move(slotsMovedPerAdd);
    if ((this.count + 1) * 4 > (this.table.mask + 1) * 3) this.grow();
    place(this.table, fingerprint, offset - this.baseOffset);
    this.count++;
    if (receivedAt > this.newestAt) this.newestAt = receivedAt;
  }

  collect(fingerprint: number, into: number[]): void {
    probe(this.table, fingerprint, 0, this.baseOffset, into);
    // Only the slots not moved yet: a moved entry was found in `table` already.
    if (this.previous !== null) {
      probe(this.previous, fingerprint, this.moved, this.baseOffset, into);
    }
  }

  private grow(): void {
    if (this.previous !== null) this.move(Infinity);
    this.previous = this.table;
    this.moved = 0;
    this.table = newTable(this.table.fingerprints.length * 2);
  }

  /** Moves up to `slots` slots of the previous table into the current one. */
  private move(slots: number): void {
    const previous = this.previous;
    if (previous === null) return;
    const end = Math.min(previous.fingerprints.length, this.moved + slots);
    for (let slot = this.moved; slot < end; slot++) {
      const f = previous.fingerprints[slot] as number;
      if (f !== 0) place(this.table, f, previous.offsets[slot] as number);
    }
    this.moved = end;
    if (end === previous.fingerprints.length) this.previous = null;
  }
}

function newTable(capacity: number): Table {
  return {
    fingerprints: new Uint32Array(capacity),
    offsets: new Uint32Array(capacity),
    mask: capacity - 1,
  };
}

function place(table: Table, fingerprint: number, relative: number): void {
  const { fingerprints, mask } = table;
  let slot = fingerprint & mask;
  while (fingerprints[slot] !== 0) slot = (slot + 1) & mask;
  fingerprints[slot] = fingerprint;
  table.offsets[slot] = relative;
}

/** Pushes the offsets stored under `fingerprint` in slots from `fromSlot` on. */
function probe(
  table: Table,
  fingerprint: number,
  fromSlot: number,
  baseOffset: number,
  into: number[],
): void {
  const { fingerprints, offsets, mask } = table;
  for (let slot = fingerprint & mask; ; slot = (slot + 1) & mask) {
    const stored = fingerprints[slot] as number;
    if (stored === 0) return;
    if (stored === fingerprint && slot >= fromSlot)
      into.push((offsets[slot] as number) + baseOffset);
  }
}
