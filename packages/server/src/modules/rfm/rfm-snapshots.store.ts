import type { RfmBreakpoints } from '@attune/engine';

/** One version of the RFM breakpoints. */
export interface StoredRfmSnapshot {
  version: number;
  /** Epoch ms. */
  computedAt: number;
  /** Profiles with at least one order when it was computed. */
  customers: number;
  breakpoints: RfmBreakpoints;
}

/** The RFM breakpoints by version (attune.db: primary data). Synchronous: small, local queries. */
export interface RfmSnapshotsStore {
  latest(): StoredRfmSnapshot | undefined;
  /** Saves the next version; returns it. */
  save(snapshot: Omit<StoredRfmSnapshot, 'version'>): StoredRfmSnapshot;
  /** The latest `limit` versions, newest first. */
  list(limit: number): StoredRfmSnapshot[];
}
