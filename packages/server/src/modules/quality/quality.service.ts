import type { QualityQuery, QualityReport } from '@attune/contracts';
import { buildQualityReport, hourRange, parseIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { IdentityQualityStore } from './identity-quality.store.js';
import type { QualityStore } from './quality.store.js';
import { QualityRequestError } from './tracking-plans.service.js';

const day = 86_400_000;

export interface QualityServiceDeps {
  store: Pick<QualityStore, 'outcomes' | 'fields'>;
  identity: IdentityQualityStore;
  clock: Clock;
  /** Writes the counts still in memory, so a report includes everything up to now. */
  flushPending(): Promise<void>;
}

/** The data quality report over a time range (whole hours; default the last 24 hours). */
export class QualityService {
  constructor(private readonly deps: QualityServiceDeps) {}

  async report(query: QualityQuery): Promise<QualityReport> {
    const now = this.deps.clock.now();
    const to = query.to === undefined ? now : parseBound(query.to, '/to');
    const from = query.from === undefined ? to - day : parseBound(query.from, '/from');
    if (from >= to)
      throw new QualityRequestError('invalid_request', '/from', '`from` must be before `to`');
    await this.deps.flushPending();
    const range = hourRange(from, to);
    const filter = { ...range, sourceId: query.source };
    return buildQualityReport({
      ...range,
      source: query.source ?? null,
      outcomes: this.deps.store.outcomes(filter),
      fields: this.deps.store.fields(filter),
      identity: this.deps.identity.counts(range.from, range.to),
    });
  }
}

/** An ISO-8601 date-time or epoch milliseconds. */
function parseBound(text: string, field: string): number {
  const parsed = /^\d{1,15}$/.test(text) ? Number(text) : parseIsoTimestamp(text);
  if (parsed === null)
    throw new QualityRequestError(
      'invalid_request',
      field,
      `\`${field.slice(1)}\` must be an ISO-8601 date-time or epoch milliseconds; got ${JSON.stringify(text.slice(0, 64))}`,
    );
  return parsed;
}
