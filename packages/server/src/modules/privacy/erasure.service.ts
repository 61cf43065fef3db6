import type { ErasureReceipt } from '@attune/contracts';
import { formatIsoTimestamp, type Identifier } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { ErasedSubject, Remainder, Subject } from './subject.js';
import type { SuppressionList } from './suppression-list.js';

export interface ErasureDeps {
  /** The surviving profile of an id (a merged id gives its survivor), or undefined. */
  resolve(profileId: string): string | undefined;
  identifiersOf(profileId: string): Identifier[];
  /** Deletes log events and derived state where the state file is written. */
  eraseSubject(seed: Subject): Promise<ErasedSubject>;
  /**
   * Deletes Attune's own events about these profiles appended while the erasure ran (an
   * outbox may have been sending one); returns how many.
   */
  sweepAnnouncements(profileIds: readonly string[]): Promise<number>;
  /** Deletes consent records kept under these pseudonyms (the consent module). */
  forgetConsent(pseudonyms: readonly string[]): Promise<number>;
  /** Forgets in-memory decision impressions counted under these pseudonyms; returns how many. */
  forgetImpressions(pseudonyms: readonly string[]): number;
  /** Deletes journey runs, actions and sends of these profiles; returns the rows. */
  forgetJourneys(profileIds: readonly string[]): number;
  /** Where the needles still appear in either file (the suppression list excepted). */
  scan(needles: readonly string[]): Remainder[];
  suppression: SuppressionList;
  pseudonym(type: string, value: string): string;
  clock: Clock;
  ids: IdGenerator;
}

export class ErasureError extends Error {
  constructor(
    readonly code: 'not_found' | 'erasure_incomplete',
    detail: string,
    readonly receipt?: ErasureReceipt,
  ) {
    super(detail);
    this.name = 'ErasureError';
  }
}

/**
 * Erases a data subject: their identifiers are suppressed at ingest first (so no new event
 * brings them back), then the processor deletes their events and derived state between two
 * of its transactions, then every table of both files is scanned for what is left.
 */
export class ErasureService {
  constructor(private readonly deps: ErasureDeps) {}

  async erase(profileId: string): Promise<ErasureReceipt> {
    const { deps } = this;
    const started = performance.now();
    const survivor = deps.resolve(profileId);
    if (survivor === undefined) throw new ErasureError('not_found', `No profile ${profileId}`);

    let seed: Subject = { profileIds: [survivor], identifiers: deps.identifiersOf(survivor) };
    const suppressed = new Set<string>();
    const suppress = (identifiers: readonly Identifier[]): number => {
      const fresh = identifiers
        .map((i) => deps.pseudonym(i.type, i.value))
        .filter((p) => !suppressed.has(p));
      for (const p of fresh) suppressed.add(p);
      deps.suppression.add(fresh, deps.clock.now());
      return fresh.length;
    };
    suppress(seed.identifiers);

    const deleted: Record<string, number> = {};
    const profileIds = new Set<string>();
    const identifiers = new Map<string, Identifier>();
    // The processor may have attached an identifier after we read them; erase again by that
    // identifier (now suppressed) until no new one turns up.
    for (let round = 0; round < 3; round++) {
      const erased = await deps.eraseSubject(seed);
      for (const [table, rows] of Object.entries(erased.deleted))
        deleted[table] = (deleted[table] ?? 0) + rows;
      erased.profileIds.forEach((id) => profileIds.add(id));
      for (const i of erased.identifiers) identifiers.set(`${i.type}\u0000${i.value}`, i);
      if (suppress(erased.identifiers) === 0) break;
      seed = erased;
    }
    const ids = [...profileIds];
    const swept = await deps.sweepAnnouncements(ids);
    if (swept > 0) deleted['attune.events'] = (deleted['attune.events'] ?? 0) + swept;
    const pseudonyms = [...suppressed];
    const forgotten = await deps.forgetConsent(pseudonyms);
    if (forgotten > 0) deleted['consent'] = forgotten;
    // Frequency-cap counters live in memory only: not in the files the scan below checks.
    const impressions = deps.forgetImpressions(pseudonyms);
    if (impressions > 0) deleted['decide.impressions'] = impressions;
    const journeyRows = deps.forgetJourneys(ids);
    if (journeyRows > 0) deleted['journeys'] = journeyRows;

    const needles = [...ids, ...[...identifiers.values()].map((i) => i.value), ...pseudonyms];
    const remaining = deps.scan(needles);
    const receipt: ErasureReceipt = {
      receiptId: deps.ids.next(),
      profileId,
      profileIds: ids,
      erasedAt: formatIsoTimestamp(deps.clock.now()),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      deleted,
      suppressedIdentifiers: pseudonyms,
      verified: remaining.length === 0,
      remaining,
    };
    if (!receipt.verified)
      throw new ErasureError(
        'erasure_incomplete',
        `The subject is still referenced in ${remaining.map((r) => `${r.file}.${r.table}.${r.column}`).join(', ')}`,
        receipt,
      );
    return receipt;
  }
}
