import type { QualityOutcome } from '@attune/contracts';
import type { FieldIssue } from '@attune/engine';

/** Which messages a count is about: the hour of `receivedAt`, the source, type and name. */
export interface TallyKey {
  receivedAt: number;
  sourceId: string;
  /** '' when unknown (the message was not readable). */
  type: string;
  /** track: event name; page/screen: name; '' for none. */
  event: string;
}

/** How a step that let a message through wants it counted (a tracking plan's verdict). */
export interface Assessment {
  outcome: Extract<QualityOutcome, 'accepted' | 'flagged'>;
  reason: string;
  issues: readonly FieldIssue[];
}

/**
 * Where the ingestion service reports what became of every message — accepted, flagged,
 * rejected, deduplicated or dropped, with a reason — for the data quality report.
 */
export interface IngestTally {
  count(key: TallyKey, outcome: QualityOutcome, reason: string, n?: number): void;
  fieldIssues(key: TallyKey, issues: readonly FieldIssue[]): void;
}

/** Source id under which requests refused before their source is known are counted. */
export const unknownSourceId = 'unknown';
