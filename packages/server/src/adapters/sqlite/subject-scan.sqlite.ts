import type { Remainder } from '../../modules/privacy/subject.js';
import type { SqliteDatabase } from './open-database.js';

export interface ScannedFile {
  /** How the file is named in results (`attune`, `state`). */
  name: string;
  db: SqliteDatabase;
}

/**
 * Searches every text column of every table for the needles, case-insensitively: a column
 * holding exactly a needle, or a needle as a JSON string inside it (`"p_12"` does not match
 * `p_123`). One scan per table. Tables `skip` names (the suppression list, the audit log)
 * are left out: they hold pseudonyms or references by design.
 */
export function scanForNeedles(
  files: readonly ScannedFile[],
  needles: readonly string[],
  skip: (table: string) => boolean,
): Remainder[] {
  const exact = [...new Set(needles.map((n) => n.toLowerCase()))];
  if (exact.length === 0) return [];
  const quoted = exact.map((n) => JSON.stringify(n));
  const params: Record<string, string> = { exact: JSON.stringify(exact) };
  quoted.forEach((q, i) => (params[`q${i}`] = q));
  const found: Remainder[] = [];
  for (const { name, db } of files) {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all() as string[];
    for (const table of tables) {
      if (skip(table)) continue;
      const columns = (
        db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string; type: string }[]
      ).filter((c) => !/INT|REAL|NUM/i.test(c.type));
      if (columns.length === 0) continue;
      const sums = columns.map((c) => {
        const text = `lower(CAST(${quote(c.name)} AS TEXT))`;
        const hits = [
          `${text} IN (SELECT value FROM json_each(@exact))`,
          ...quoted.map((_, i) => `instr(${text}, @q${i}) > 0`),
        ];
        return `coalesce(sum(${hits.join(' OR ')}), 0)`;
      });
      const counts = db
        .prepare(`SELECT ${sums.join(', ')} FROM ${quote(table)}`)
        .raw()
        .get(params) as number[];
      counts.forEach((rows, i) => {
        if (rows > 0) found.push({ file: name, table, column: columns[i]!.name, rows });
      });
    }
  }
  return found;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
