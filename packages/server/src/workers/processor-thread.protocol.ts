import type { ErasedSubject, Subject } from '../modules/privacy/subject.js';
import type { ProcessingSettings } from '../config/processing.js';
import type { OutboxName } from '../modules/event-log/outbox-relay.js';
import type { PrototypeKeys } from '../platform/prototype-keys.js';
import type { KeyringSecrets } from '../platform/keyring.js';

export interface ProcessorThreadSettings {
  processing: ProcessingSettings;
  /** The keyring, as plain data (a Keyring does not cross to a thread). */
  keyring: KeyringSecrets;
  /** SQLite page cache for the state file, MiB. */
  cacheMb: number;
  /** The log, read here. */
  logFile: string;
  /** Derived state and processor offsets, written here. */
  stateFile: string;
  name: string;
  batchSize: number;
  pollIntervalMs: number;
}

export type ToProcessor =
  | { kind: 'appended'; lastOffset: number }
  /** Erase a data subject between two transactions (see SqliteSubjectEraser). */
  | { kind: 'erase'; id: number; subject: Subject }
  /** Drop purged offsets from profile timelines (retention), between two transactions. */
  | { kind: 'prune'; id: number; offsets: number[] }
  /** An outbox's records through `seq` are in the log: its cursor in the state file. */
  | { kind: 'outboxLogged'; outbox: OutboxName; seq: number }
  /** The thread's built-in prototype keys (a pollution check for tests). */
  | { kind: 'prototypes'; id: number }
  | { kind: 'stop' };

export type FromProcessor =
  | { kind: 'ready'; committed: number }
  /**
   * `changed`: profiles whose memberships, stage or traits the transaction changed;
   * `updated`: profiles it saved or removed otherwise (see ProfilesStep.takeUpdated).
   */
  | { kind: 'committed'; offset: number; changed: string[]; updated: string[] }
  | { kind: 'error'; message: string; details: string }
  | { kind: 'warn'; message: string; details: object }
  /** Replies to erase (an ErasedSubject), prune (profiles changed) and prototypes. */
  | { kind: 'done'; id: number; result: ErasedSubject | number | PrototypeKeys }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'stopped' };
