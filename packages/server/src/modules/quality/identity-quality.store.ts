import type { IdentityQualityCounts } from '@attune/engine';

/**
 * What the identity module knows about data quality, read from derived state: refused
 * merges (conflicts) and identifiers that were refused as invalid, over [from, to).
 */
export interface IdentityQualityStore {
  counts(from: number, to: number): IdentityQualityCounts;
}
