/** An event as the purge sees it. */
export interface RetentionCandidate {
  offset: number;
  sourceId: string;
  type: string;
  event: string | null;
  receivedAt: number;
}

export interface RetentionRunRecord {
  startedAt: number;
  finishedAt: number | null;
  purged: number;
  profilesRebuilt: number;
}

/** The log as the retention purge reads and trims it, and the record of its runs. */
export interface RetentionStore {
  /** Events after `offset`, in offset order. */
  eventsAfter(offset: number, limit: number): RetentionCandidate[];
  deleteEvents(offsets: readonly number[]): number;
  startRun(at: number): number;
  finishRun(id: number, at: number, purged: number, profilesRebuilt: number): void;
  lastRun(): RetentionRunRecord | null;
  totalPurged(): number;
}
