import {
  qualityOutcomes,
  qualityReasons,
  type OutcomeCounts,
  type QualityOutcome,
  type QualityReport,
} from '@attune/contracts';
import { formatIsoTimestamp } from '../ingest/iso-timestamp.js';

/** Counts of one (source, type, event, outcome, reason) over the range; '' = unknown/none. */
export interface OutcomeRow {
  sourceId: string;
  type: string;
  event: string;
  outcome: QualityOutcome;
  reason: string;
  count: number;
}

export interface FieldRow {
  sourceId: string;
  type: string;
  event: string;
  field: string;
  missing: number;
  invalid: number;
}

export interface IdentityQualityCounts {
  conflicts: { reason: string; count: number }[];
  invalidIdentifiers: { type: string; reason: string; count: number }[];
}

export interface QualityReportInput {
  /** Hour-aligned bounds actually covered. */
  from: number;
  to: number;
  source: string | null;
  outcomes: OutcomeRow[];
  fields: FieldRow[];
  identity: IdentityQualityCounts;
}

/**
 * The quality report from the stored counts: totals, by source, by event, by outcome and
 * reason, and per field the missing/invalid counts with their rates among the messages of
 * that event that were checked against the plan.
 */
export function buildQualityReport(input: QualityReportInput): QualityReport {
  const totals = emptyCounts();
  const bySource = new Map<string, OutcomeCounts>();
  const byEvent = new Map<string, { key: EventKey; counts: OutcomeCounts }>();
  const byReason = new Map<string, { outcome: QualityOutcome; reason: string; count: number }>();
  const checked = new Map<string, number>();

  for (const row of input.outcomes) {
    totals[row.outcome] += row.count;
    const source = bySource.get(row.sourceId) ?? emptyCounts();
    source[row.outcome] += row.count;
    bySource.set(row.sourceId, source);
    const key = eventKey(row);
    const event = byEvent.get(key) ?? { key: row, counts: emptyCounts() };
    event.counts[row.outcome] += row.count;
    byEvent.set(key, event);
    const reasonKey = `${row.outcome}\u0000${row.reason}`;
    const reason = byReason.get(reasonKey) ?? {
      outcome: row.outcome,
      reason: row.reason,
      count: 0,
    };
    reason.count += row.count;
    byReason.set(reasonKey, reason);
    if (wasChecked(row)) checked.set(key, (checked.get(key) ?? 0) + row.count);
  }

  const fields = input.fields.map((row) => {
    const denominator = Math.max(checked.get(eventKey(row)) ?? 0, row.missing, row.invalid);
    return {
      source: row.sourceId,
      type: row.type,
      event: nullIfEmpty(row.event),
      field: row.field,
      checked: denominator,
      missing: row.missing,
      invalid: row.invalid,
      missingRate: rate(row.missing, denominator),
      invalidRate: rate(row.invalid, denominator),
    };
  });
  fields.sort(
    (a, b) => b.missing + b.invalid - (a.missing + a.invalid) || compareText(a.field, b.field),
  );

  const conflicts = [...input.identity.conflicts].sort((a, b) => b.count - a.count);
  const invalid = [...input.identity.invalidIdentifiers].sort((a, b) => b.count - a.count);
  return {
    from: formatIsoTimestamp(input.from),
    to: formatIsoTimestamp(input.to),
    source: input.source,
    totals,
    bySource: [...bySource]
      .sort(([a], [b]) => compareText(a, b))
      .map(([source, counts]) => ({ source, ...counts })),
    byEvent: [...byEvent.values()]
      .sort(
        (a, b) => sum(b.counts) - sum(a.counts) || compareText(eventKey(a.key), eventKey(b.key)),
      )
      .map(({ key, counts }) => ({
        source: key.sourceId,
        type: nullIfEmpty(key.type),
        event: nullIfEmpty(key.event),
        ...counts,
      })),
    byReason: [...byReason.values()].sort((a, b) => b.count - a.count),
    fields,
    identity: {
      conflicts: conflicts.reduce((n, c) => n + c.count, 0),
      conflictsByReason: conflicts,
      invalidIdentifiers: invalid.reduce((n, c) => n + c.count, 0),
      invalidIdentifiersByType: invalid,
    },
  };
}

interface EventKey {
  sourceId: string;
  type: string;
  event: string;
}

function eventKey(row: EventKey): string {
  return `${row.sourceId}\u0000${row.type}\u0000${row.event}`;
}

/** Messages that met a schema of the plan: the denominator of the field rates. */
function wasChecked(row: OutcomeRow): boolean {
  return (
    row.outcome === 'flagged' ||
    (row.outcome === 'accepted' && row.reason === qualityReasons.conforms) ||
    (row.outcome === 'rejected' && row.reason === qualityReasons.violation)
  );
}

function emptyCounts(): OutcomeCounts {
  return Object.fromEntries(qualityOutcomes.map((o) => [o, 0])) as OutcomeCounts;
}

function sum(counts: OutcomeCounts): number {
  return qualityOutcomes.reduce((n, o) => n + counts[o], 0);
}

function rate(count: number, of: number): number {
  return of === 0 ? 0 : Math.round((count / of) * 10_000) / 10_000;
}

function nullIfEmpty(text: string): string | null {
  return text === '' ? null : text;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
