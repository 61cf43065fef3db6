import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, type Schema } from './migrations.js';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /** Which file this is: the log (with sources and keys) or the derived state. */
  schema: Schema;
  /** Apply pending migrations (the first connection of a process does; workers need not). */
  migrate?: boolean;
  /**
   * FULL (default) for the event log and anything not derivable. NORMAL suits connections
   * that write only derived state together with its log offset: a commit lost to power
   * failure rolls back state and offset together and is simply processed again.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Page cache of this connection in MiB (SQLite's default is 2 MiB). */
  cacheMb?: number;
  pageSize?: number;
  walPages?: number;
  /**
   * Memory-map up to this much of the file for reads (SQLite caps it at its build's limit,
   * 2 GB here). Only for a connection that reads much of a big file at random.
   */
  mmapMb?: number;
}

/**
 * Opens the embedded database. WAL lets readers run beside the single writer;
 * `synchronous=FULL` makes every commit fsync the WAL, so a committed transaction survives
 * power loss as well as `kill -9` (NORMAL would only survive a process crash). Group
 * commit amortizes that fsync over all requests waiting at the moment.
 */
export function openDatabase(file: string, options: OpenOptions): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  if (options.pageSize !== undefined) db.pragma(`page_size = ${options.pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // Checkpoint in bigger steps than the 1000-page default: fewer pauses under heavy ingest.
  db.pragma(`wal_autocheckpoint = ${options.walPages ?? 4000}`);
  if (options.cacheMb !== undefined) db.pragma(`cache_size = -${options.cacheMb * 1024}`);
  if (options.mmapMb !== undefined) db.pragma(`mmap_size = ${options.mmapMb * 1024 * 1024}`);
  if (options.migrate ?? true) migrate(db, options.schema);
  return db;
}
