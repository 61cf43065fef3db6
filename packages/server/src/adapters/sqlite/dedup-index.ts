import { fingerprint32, MessageIdIndex } from '@attune/engine';
import { firstOffsetReceivedSince } from './offset-received-since.js';
import type { SqliteDatabase } from './open-database.js';

interface StoredId {
  source_id: string;
  message_id: string;
  received_at: number;
}

/** Slack for receivedAt not being perfectly ordered by offset across concurrent requests. */
const orderingSlackMs = 3_600_000;

/**
 * Dedup for the log writer: the in-memory fingerprint index, confirmed against the stored
 * events, so the answer is exact. Rebuilt from the log when the writer starts.
 */
export class DedupIndex {
  private readonly index: MessageIdIndex;
  private readonly storedId;
  /** Keys of the transaction in progress, which the index only learns after commit. */
  private pendingKeys = new Set<string>();
  private pending: number[] = [];
  /** The newest receivedAt seen: the index runs on the log's clock, not the machine's. */
  private latest = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly windowMs: number,
  ) {
    this.index = new MessageIdIndex(windowMs);
    this.storedId = db.prepare(
      'SELECT source_id, message_id, received_at FROM events WHERE seq = ?',
    );
  }

  /** Loads the messageIds received within the window of the newest event; returns how many. */
  rebuild(): number {
    this.latest = Number(this.db.prepare('SELECT max(received_at) FROM events').pluck().get() ?? 0);
    const cutoff = this.latest - this.windowMs;
    const from = firstOffsetReceivedSince(this.db, cutoff - orderingSlackMs);
    const rows = this.db
      .prepare(
        'SELECT seq, source_id, message_id, received_at FROM events WHERE seq >= ? ORDER BY seq',
      )
      .raw()
      .iterate(from) as IterableIterator<[number, string, string, number]>;
    let loaded = 0;
    for (const [seq, sourceId, messageId, receivedAt] of rows) {
      if (receivedAt < cutoff) continue;
      this.index.add(fingerprint32(key(sourceId, messageId)), seq, receivedAt);
      loaded++;
    }
    return loaded;
  }

  /** True when this message was stored (or claimed in this transaction) within the window. */
  isDuplicate(sourceId: string, messageId: string, receivedAt: number): boolean {
    const k = key(sourceId, messageId);
    if (this.pendingKeys.has(k)) return true;
    for (const offset of this.index.candidates(fingerprint32(k))) {
      const stored = this.storedId.get(offset) as StoredId | undefined;
      if (stored === undefined) continue; // erased since
      if (
        stored.message_id === messageId &&
        stored.source_id === sourceId &&
        receivedAt - stored.received_at < this.windowMs
      ) {
        return true;
      }
    }
    return false;
  }

  /** Records an event appended in the open transaction. */
  claim(sourceId: string, messageId: string, offset: number, receivedAt: number): void {
    const k = key(sourceId, messageId);
    this.pendingKeys.add(k);
    this.pending.push(fingerprint32(k), offset, receivedAt);
  }

  /** The transaction committed: its events join the index. */
  committed(): void {
    const p = this.pending;
    for (let i = 0; i < p.length; i += 3) {
      const receivedAt = p[i + 2] as number;
      this.index.add(p[i] as number, p[i + 1] as number, receivedAt);
      if (receivedAt > this.latest) this.latest = receivedAt;
    }
    this.rolledBack();
  }

  rolledBack(): void {
    this.pendingKeys = new Set();
    this.pending = [];
  }

  expire(): void {
    this.index.expire(this.latest);
  }

  get size(): number {
    return this.index.size;
  }
}

function key(sourceId: string, messageId: string): string {
  return `${sourceId}\u0000${messageId}`;
}
