import type { AuditRecord, ChainedAuditRecord } from './audit-chain.js';

export interface AuditFilter {
  after: number;
  limit: number;
  action?: string | undefined;
  keyId?: string | undefined;
  /** Records whose target is one of these (a value and its pseudonym). */
  targets?: string[] | undefined;
  /** Epoch ms; records at or after. */
  since?: number | undefined;
}

/** The append-only audit log. */
export interface AuditLogStore {
  /**
   * Appends a record chained to the current last one (seq and hashes are assigned here,
   * atomically, so concurrent writers cannot fork the chain).
   */
  append(record: Omit<AuditRecord, 'seq'>): ChainedAuditRecord;
  page(filter: AuditFilter): ChainedAuditRecord[];
  /** Every record in seq order, lazily (verification reads the whole log). */
  all(): Iterable<ChainedAuditRecord>;
}
