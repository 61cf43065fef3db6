import type { SuppressionStore } from '../../modules/privacy/suppression-list.js';
import type { SqliteDatabase } from './open-database.js';

export class SqliteSuppressionStore implements SuppressionStore {
  constructor(private readonly db: SqliteDatabase) {}

  active(): string[] {
    return this.db
      .prepare('SELECT pseudonym FROM suppressed_identifiers WHERE lifted_at IS NULL')
      .pluck()
      .all() as string[];
  }

  add(pseudonyms: readonly string[], at: number): void {
    const upsert = this.db.prepare(
      `INSERT INTO suppressed_identifiers (pseudonym, suppressed_at, lifted_at) VALUES (?, ?, NULL)
       ON CONFLICT (pseudonym) DO UPDATE SET suppressed_at = excluded.suppressed_at, lifted_at = NULL`,
    );
    this.db.transaction(() => {
      for (const p of pseudonyms) upsert.run(p, at);
    })();
  }

  lift(pseudonym: string, at: number): void {
    this.db
      .prepare('UPDATE suppressed_identifiers SET lifted_at = ? WHERE pseudonym = ?')
      .run(at, pseudonym);
  }
}
