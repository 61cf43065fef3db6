import type { ConsentChange, ConsentSource } from '@attune/engine';
import type { ConsentStore } from '../../modules/privacy/consent.store.js';
import type { SqliteDatabase } from './open-database.js';

interface Row {
  seq: number;
  pseudonym: string;
  purposes: string;
  source: ConsentSource;
  at: number;
  country: string | null;
}

const toChange = (row: Row): ConsentChange => ({
  seq: row.seq,
  pseudonym: row.pseudonym,
  purposes: JSON.parse(row.purposes) as Record<string, boolean>,
  source: row.source,
  at: row.at,
  country: row.country,
});

/** SQLite lists of bound parameters are capped; erasure and history go in slices. */
const slice = 500;

export class SqliteConsentStore implements ConsentStore {
  private readonly insert;
  private readonly appendAll;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare(
      'INSERT INTO consent_changes (seq, pseudonym, purposes, source, at, country) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.appendAll = db.transaction((changes: readonly ConsentChange[]) => {
      for (const c of changes)
        this.insert.run(c.seq, c.pseudonym, JSON.stringify(c.purposes), c.source, c.at, c.country);
    });
  }

  append(changes: readonly ConsentChange[]): void {
    if (changes.length > 0) this.appendAll(changes);
  }

  lastSeq(): number {
    const seq = this.db
      .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'consent_changes'")
      .pluck()
      .get() as number | undefined;
    return seq ?? 0;
  }

  *all(): Iterable<ConsentChange> {
    const rows = this.db.prepare('SELECT * FROM consent_changes ORDER BY seq').iterate();
    for (const row of rows) yield toChange(row as Row);
  }

  historyOf(pseudonyms: readonly string[]): ConsentChange[] {
    const changes: ConsentChange[] = [];
    for (let i = 0; i < pseudonyms.length; i += slice) {
      const part = pseudonyms.slice(i, i + slice);
      const rows = this.db
        .prepare(
          `SELECT * FROM consent_changes WHERE pseudonym IN (${part.map(() => '?').join(',')})`,
        )
        .all(...part) as Row[];
      changes.push(...rows.map(toChange));
    }
    return changes.sort((a, b) => a.seq - b.seq);
  }

  forget(pseudonyms: readonly string[]): number {
    let deleted = 0;
    this.db.transaction(() => {
      for (let i = 0; i < pseudonyms.length; i += slice) {
        const part = pseudonyms.slice(i, i + slice);
        deleted += this.db
          .prepare(
            `DELETE FROM consent_changes WHERE pseudonym IN (${part.map(() => '?').join(',')})`,
          )
          .run(...part).changes;
      }
    })();
    return deleted;
  }
}
