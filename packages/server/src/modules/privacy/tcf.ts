import { TCString } from '@iabtcf/core';
import { purposesFromTcf, type ConsentPolicy } from '@attune/engine';

/**
 * TCF purposes a CMP may permit by legitimate interest instead of consent (TCF v2.2 allows
 * it for 2 and 7–11; never for 1 storage, 3–6 profiles and personalised ads/content).
 */
const legitimateInterestAllowed = new Set([2, 7, 8, 9, 10, 11]);
/** Decoded strings remembered: a visitor's string repeats on every event until it changes. */
const cacheSize = 1000;

/**
 * Decodes IAB TCF v2 strings into our purposes (policy.tcfPurposes), or null for a string
 * that does not decode (ignored: a broken CMP string must not cost the event).
 */
export class TcfDecoder {
  private readonly cache = new Map<string, Record<string, boolean> | null>();

  constructor(private readonly policy: ConsentPolicy) {}

  purposesOf(tcString: string): Record<string, boolean> | null {
    const cached = this.cache.get(tcString);
    if (cached !== undefined || this.cache.has(tcString)) return cached ?? null;
    const purposes = this.decode(tcString);
    if (this.cache.size >= cacheSize) this.cache.clear();
    this.cache.set(tcString, purposes);
    return purposes;
  }

  private decode(tcString: string): Record<string, boolean> | null {
    if (Object.keys(this.policy.tcfPurposes).length === 0) return null;
    try {
      const model = TCString.decode(tcString);
      return purposesFromTcf(
        this.policy,
        (id) =>
          model.purposeConsents.has(id) ||
          (legitimateInterestAllowed.has(id) && model.purposeLegitimateInterests.has(id)),
      );
    } catch {
      return null;
    }
  }
}
