import type { QualityOutcome } from '@attune/contracts';
import { hourOf, type FieldIssue } from '@attune/engine';
import type { IngestTally, TallyKey } from '../ingestion/ingest-tally.js';
import type { HourFieldRow, HourOutcomeRow } from './quality.store.js';

export interface TallyRows {
  outcomes: HourOutcomeRow[];
  fields: HourFieldRow[];
}

/** hour → source → type → event → …: nested maps, no key strings built per message. */
type Tree<T> = Map<number, Map<string, Map<string, Map<string, T>>>>;

/** Event names longer than this are cut, so a rejected message cannot bloat the counts. */
const maxEventName = 200;

/**
 * The quality counts of the request thread, summed in memory per hour until the flusher
 * writes them: the write path pays a few Map lookups per message, not a database write.
 */
export class QualityTally implements IngestTally {
  private outcomes: Tree<Map<QualityOutcome, Map<string, HourOutcomeRow>>> = new Map();
  private fields: Tree<Map<string, HourFieldRow>> = new Map();
  private rows = 0;

  count(key: TallyKey, outcome: QualityOutcome, reason: string, n = 1): void {
    const hour = hourOf(key.receivedAt);
    const event = capped(key.event);
    const byReason = child(leaf(this.outcomes, hour, key, event), outcome);
    const row = byReason.get(reason);
    if (row !== undefined) {
      row.count += n;
      return;
    }
    const { sourceId, type } = key;
    byReason.set(reason, { hour, sourceId, type, event, outcome, reason, count: n });
    this.rows++;
  }

  fieldIssues(key: TallyKey, issues: readonly FieldIssue[]): void {
    const hour = hourOf(key.receivedAt);
    for (const { field, problem } of issues) this.fieldRow(hour, key, field)[problem]++;
  }

  /** Everything counted since the last drain; the tally starts again from zero. */
  drain(): TallyRows {
    const outcomes: HourOutcomeRow[] = [];
    for (const byOutcome of leaves(this.outcomes))
      for (const byReason of byOutcome.values()) outcomes.push(...byReason.values());
    const fields: HourFieldRow[] = [];
    for (const byField of leaves(this.fields)) fields.push(...byField.values());
    this.outcomes = new Map();
    this.fields = new Map();
    this.rows = 0;
    return { outcomes, fields };
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
    return this.rows;
  }

  private fieldRow(
    hour: number,
    key: Pick<TallyKey, 'sourceId' | 'type' | 'event'>,
    field: string,
  ): HourFieldRow {
    const event = capped(key.event);
    const byField = leaf(this.fields, hour, key, event);
    let row = byField.get(field);
    if (row === undefined) {
      row = { hour, sourceId: key.sourceId, type: key.type, event, field, missing: 0, invalid: 0 };
      byField.set(field, row);
      this.rows++;
    }
    return row;
  }
}

function leaf<T extends Map<unknown, unknown>>(
  tree: Tree<T>,
  hour: number,
  key: Pick<TallyKey, 'sourceId' | 'type'>,
  event: string,
): T {
  const byType = child(child(tree, hour), key.sourceId);
  const byEvent = child(byType, key.type);
  let node = byEvent.get(event);
  if (node === undefined) {
    node = new Map() as T;
    byEvent.set(event, node);
  }
  return node;
}

function child<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V>;
function child<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V>;
function child<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let node = map.get(key);
  if (node === undefined) {
    node = new Map();
    map.set(key, node);
  }
  return node;
}

function* leaves<T>(tree: Tree<T>): Generator<T> {
  for (const bySource of tree.values())
    for (const byType of bySource.values())
      for (const byEvent of byType.values()) yield* byEvent.values();
}

function capped(event: string): string {
  return event.length > maxEventName ? event.slice(0, maxEventName) : event;
}
