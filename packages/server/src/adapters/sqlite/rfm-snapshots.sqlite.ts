import type { RfmBreakpoints } from '@attune/engine';
import type {
  RfmSnapshotsStore,
  StoredRfmSnapshot,
} from '../../modules/rfm/rfm-snapshots.store.js';
import type { SqliteDatabase } from './open-database.js';

interface SnapshotRow {
  version: number;
  computed_at: number;
  customers: number;
  breakpoints: string;
}

export class SqliteRfmSnapshotsStore implements RfmSnapshotsStore {
  private readonly newest;
  private readonly newestVersion;
  private readonly insert;
  /** The newest snapshot as last read: decisions and profile reads ask for it per request. */
  private cached: StoredRfmSnapshot | undefined;

  constructor(private readonly db: SqliteDatabase) {
    this.newest = db.prepare('SELECT * FROM rfm_snapshots ORDER BY version DESC LIMIT ?');
    this.newestVersion = db.prepare('SELECT max(version) FROM rfm_snapshots').pluck();
    this.insert = db.prepare(
      'INSERT INTO rfm_snapshots (version, computed_at, customers, breakpoints) VALUES (?, ?, ?, ?)',
    );
  }

  /** Parsed once per version: a cheap max(version) tells whether another one was saved. */
  latest(): StoredRfmSnapshot | undefined {
    const version = this.newestVersion.get() as number | null;
    if (version === null) return undefined;
    if (this.cached?.version !== version) this.cached = this.list(1)[0];
    return this.cached;
  }

  save(snapshot: Omit<StoredRfmSnapshot, 'version'>): StoredRfmSnapshot {
    // IMMEDIATE: it reads, then writes; upgrading a read beside the log writer thread fails
    // with SQLITE_BUSY when the writer committed in between.
    return this.db
      .transaction(() => {
        const version = (this.latest()?.version ?? 0) + 1;
        this.insert.run(
          version,
          snapshot.computedAt,
          snapshot.customers,
          JSON.stringify(snapshot.breakpoints),
        );
        return { version, ...snapshot };
      })
      .immediate();
  }

  list(limit: number): StoredRfmSnapshot[] {
    return (this.newest.all(limit) as SnapshotRow[]).map((row) => ({
      version: row.version,
      computedAt: row.computed_at,
      customers: row.customers,
      breakpoints: JSON.parse(row.breakpoints) as RfmBreakpoints,
    }));
  }
}
