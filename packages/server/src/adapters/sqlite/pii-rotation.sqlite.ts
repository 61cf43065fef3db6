import { internalSourceId } from '../../modules/event-log/internal-events.js';
import { identityMergedEvent } from '../../modules/identity/merge-events.js';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';
import { isCiphertext } from '../../platform/keyring.js';
import type { SqliteDatabase } from './open-database.js';

type Json = Record<string, unknown>;

export interface RotationProgress {
  target: string;
  /** Rows examined so far in this target (this run and the runs it resumes). */
  done: number;
  total: number;
  /** Rows rewritten by this run. */
  rewritten: number;
}

/** One table pass: rows in key order, each turned into its update (or null: nothing to do). */
interface Pass {
  target: string;
  db: SqliteDatabase;
  table: string;
  keys: string[];
  columns: string[];
  rewrite(row: unknown[]): unknown[] | null;
}

/**
 * `attune keys rotate-data`: every ciphertext under an older key is encrypted again with
 * the newest, PII still in the clear (events logged before encryption) is encrypted, and
 * the log's id columns get their pseudonyms. Table by table, in batches that each commit
 * with their position (the `pii_rotation` table), so a run that stops resumes where it
 * left; a new newest key starts over.
 */
export function rotatePii(
  dbs: { log: SqliteDatabase; state: SqliteDatabase },
  cipher: PiiCipher,
  onProgress: (p: RotationProgress) => void,
  batchSize = 1000,
): RotationProgress[] {
  const passes = [
    eventsPass(dbs.log, cipher),
    valuePass(dbs.state, 'identities', ['type', 'value'], 'display', cipher),
    valuePass(dbs.state, 'identity_conflicts', ['seq'], 'identifier_value', cipher),
    textPass(dbs.state, 'identity_merges', ['seq'], ['identifiers'], cipher),
    textPass(dbs.state, 'profiles', ['id'], ['traits', 'computed'], cipher),
  ];
  return passes.map((pass) =>
    runPass(dbs.log, pass, cipher.keyring.currentKeyId, batchSize, onProgress),
  );
}

function runPass(
  logDb: SqliteDatabase,
  pass: Pass,
  keyId: string,
  batchSize: number,
  onProgress: (p: RotationProgress) => void,
): RotationProgress {
  const { db, table, keys, columns } = pass;
  const saved = logDb
    .prepare('SELECT key_id, after, done FROM pii_rotation WHERE target = ?')
    .get(pass.target) as { key_id: string; after: string; done: number } | undefined;
  const resume = saved?.key_id === keyId;
  let after = resume ? (JSON.parse(saved.after) as unknown[] | null) : null;
  const progress: RotationProgress = {
    target: pass.target,
    done: resume ? saved.done : 0,
    total: db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number,
    rewritten: 0,
  };
  const keyList = keys.join(', ');
  const select = (from: unknown[] | null) =>
    db
      .prepare(
        `SELECT ${keyList}, ${columns.join(', ')} FROM ${table}
         ${from === null ? '' : `WHERE (${keyList}) > (${keys.map(() => '?').join(', ')})`}
         ORDER BY ${keyList} LIMIT ${batchSize}`,
      )
      .raw()
      .all(...(from ?? [])) as unknown[][];
  const update = db.prepare(
    `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')}
     WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`,
  );
  const savePosition = logDb.prepare(
    `INSERT INTO pii_rotation (target, key_id, after, done) VALUES (?, ?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET key_id = excluded.key_id, after = excluded.after, done = excluded.done`,
  );
  for (;;) {
    const rows = select(after);
    if (rows.length === 0) break;
    const last = rows[rows.length - 1] as unknown[];
    const apply = () => {
      for (const row of rows) {
        const next = pass.rewrite(row.slice(keys.length));
        if (next === null) continue;
        update.run(...next, ...row.slice(0, keys.length));
        progress.rewritten++;
      }
      after = last.slice(0, keys.length);
      progress.done += rows.length;
      savePosition.run(pass.target, keyId, JSON.stringify(after), progress.done);
    };
    // The position lives in the log file: for state tables the batch and its position are
    // two commits, and a batch redone after a stop between them finds nothing stale.
    db.transaction(apply).immediate();
    onProgress(progress);
  }
  return progress;
}

function eventsPass(db: SqliteDatabase, cipher: PiiCipher): Pass {
  return {
    target: 'events',
    db,
    table: 'events',
    keys: ['seq'],
    columns: ['message', 'user_id', 'anonymous_id', 'source_id'],
    rewrite([message, userId, anonymousId, sourceId]) {
      const text = message as string;
      if (sourceId === internalSourceId) {
        const sealed = sealMergeEvent(text, cipher);
        return sealed === null ? null : [sealed, userId, anonymousId, sourceId];
      }
      const stored = JSON.parse(text) as Json;
      const protectedMessage = cipher.protectMessage(stored);
      const opened = JSON.parse(cipher.openText(text).text) as Json;
      const columns = [
        cipher.idColumn('user_id', idText(opened['userId'])),
        cipher.idColumn('anonymous_id', idText(opened['anonymousId'])),
      ];
      if (protectedMessage === stored && columns[0] === userId && columns[1] === anonymousId)
        return null;
      const nextText = protectedMessage === stored ? text : JSON.stringify(protectedMessage);
      return [nextText, ...columns, sourceId];
    },
  };
}

/** Identity Merged events name the identifiers merged: their values are PII. */
function sealMergeEvent(text: string, cipher: PiiCipher): string | null {
  const reencrypted = cipher.reencryptText(text);
  const current = reencrypted ?? text;
  if (!current.includes(`"event":"${identityMergedEvent}"`)) return reencrypted;
  const message = JSON.parse(current) as { properties?: { identifiers?: Json[] } };
  const ids = message.properties?.identifiers;
  if (!Array.isArray(ids) || ids.every((id) => isCiphertext(id['value']))) return reencrypted;
  message.properties = {
    ...message.properties,
    identifiers: ids.map((id) =>
      isCiphertext(id['value']) ? id : { ...id, value: cipher.encryptLeaf(id['value']) },
    ),
  };
  return JSON.stringify(message);
}

/** A column holding one ciphertext (or, before encryption, the plain value). */
function valuePass(
  db: SqliteDatabase,
  table: string,
  keys: string[],
  column: string,
  cipher: PiiCipher,
): Pass {
  return {
    target: `state.${table}`,
    db,
    table,
    keys,
    columns: [column],
    rewrite([value]) {
      if (value === null || cipher.isCurrent(value)) return null;
      return [cipher.encryptLeaf(cipher.decryptLeaf(value))];
    },
  };
}

/** Columns of JSON text with ciphertexts inside. */
function textPass(
  db: SqliteDatabase,
  table: string,
  keys: string[],
  columns: string[],
  cipher: PiiCipher,
): Pass {
  return {
    target: `state.${table}`,
    db,
    table,
    keys,
    columns,
    rewrite(values) {
      const next = values.map((v) => cipher.reencryptText(v as string));
      if (next.every((v) => v === null)) return null;
      return next.map((v, i) => v ?? values[i]);
    },
  };
}

function idText(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
