import type { QualityOutcome } from '@attune/contracts';
import { hourOf, type FieldIssue } from '@attune/engine';
import type { IngestTally, TallyKey } from '../ingestion/ingest-tally.js';
import type { HourFieldRow, HourOutcomeRow } from './quality.store.js';

export interface TallyRows {
  outcomes: HourOutcomeRow[];
  fields: HourFieldRow[];
}

/**
 * The quality counts of the request thread, summed in memory per hour until the flusher
 * writes them: the write path pays a Map update per message, not a database write.
 */
export class QualityTally implements IngestTally {
  private outcomes = new Map<string, HourOutcomeRow>();
  private fields = new Map<string, HourFieldRow>();

  count(key: TallyKey, outcome: QualityOutcome, reason: string, n = 1): void {
    const hour = hourOf(key.receivedAt);
    const id = `${hour}\u0000${key.sourceId}\u0000${key.type}\u0000${key.event}\u0000${outcome}\u0000${reason}`;
    const row = this.outcomes.get(id);
    if (row !== undefined) row.count += n;
    else this.outcomes.set(id, { hour, ...withoutTime(key), outcome, reason, count: n });
  }

  fieldIssues(key: TallyKey, issues: readonly FieldIssue[]): void {
    const hour = hourOf(key.receivedAt);
    for (const { field, problem } of issues) this.fieldRow(hour, key, field)[problem]++;
  }

  /** Everything counted since the last drain; the tally starts again from zero. */
  drain(): TallyRows {
    const rows = { outcomes: [...this.outcomes.values()], fields: [...this.fields.values()] };
    this.outcomes = new Map();
    this.fields = new Map();
    return rows;
  }

  /** Puts drained rows back (their write failed), to be written with the next flush. */
  restore(rows: TallyRows): void {
    for (const r of rows.outcomes)
      this.count({ receivedAt: r.hour, ...r }, r.outcome, r.reason, r.count);
    for (const r of rows.fields) {
      const row = this.fieldRow(r.hour, r, r.field);
      row.missing += r.missing;
      row.invalid += r.invalid;
    }
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.outcomes.size + this.fields.size;
  }

  private fieldRow(
    hour: number,
    key: Pick<TallyKey, 'sourceId' | 'type' | 'event'>,
    field: string,
  ): HourFieldRow {
    const id = `${hour}\u0000${key.sourceId}\u0000${key.type}\u0000${key.event}\u0000${field}`;
    let row = this.fields.get(id);
    if (row === undefined) {
      row = {
        hour,
        sourceId: key.sourceId,
        type: key.type,
        event: key.event,
        field,
        missing: 0,
        invalid: 0,
      };
      this.fields.set(id, row);
    }
    return row;
  }
}

function withoutTime(key: TallyKey): { sourceId: string; type: string; event: string } {
  return { sourceId: key.sourceId, type: key.type, event: key.event };
}
