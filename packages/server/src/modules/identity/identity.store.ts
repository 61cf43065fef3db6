import type { Identifier, IdentityPlan, IdentityView } from '@attune/engine';

export interface EventRef {
  offset: number;
  messageId: string;
  timestamp: number;
}

export interface MergeRecord {
  seq: number;
  survivorId: string;
  mergedId: string;
  eventOffset: number;
  eventMessageId: string;
  eventTime: number;
  /** The identifiers the merged profile brought. */
  identifiers: Identifier[];
}

export interface ConflictRecord {
  seq: number;
  profileId: string;
  otherProfileId: string | null;
  identifier: Identifier | null;
  reason: string;
  eventOffset: number;
  eventTime: number;
}

/**
 * The identity graph's persistent state. Synchronous: it runs inside the processor's
 * transaction (and answers the API's reads).
 */
export interface IdentityStore extends IdentityView {
  apply(plan: IdentityPlan, event: EventRef): void;
  /** Forgets lookups kept in memory (the processor's batch that changed them rolled back). */
  discardCache(): void;
  /** The surviving profile for a profile id (itself when not merged), or undefined. */
  resolve(profileId: string): string | undefined;
  identifiersOf(profileId: string): Identifier[];
  /** Merges into this profile (directly or through profiles merged into it), oldest first. */
  mergesInto(profileId: string): MergeRecord[];
  conflicts(afterSeq: number, limit: number): ConflictRecord[];
  /** Merges after `seq`, oldest first: what the relay turns into log events. */
  mergesAfter(seq: number, limit: number): MergeRecord[];
  /** The newest merge whose event is known to be in the log (see OutboxRelay). */
  mergeEventsLoggedThrough(): number;
  /** Adds to the hourly counts of identifiers refused (invalid email/phone, junk values). */
  countIdentifierIssues(issues: readonly IdentifierIssueCount[]): void;
}

export interface IdentifierIssueCount {
  /** receivedAt truncated to the hour, epoch ms. */
  hour: number;
  type: string;
  reason: string;
  count: number;
}
