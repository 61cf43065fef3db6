import type { NewEvent } from '../event-log/event-log.store.js';
import { internalSourceId } from '../identity/merge-events.js';

export const stageEnteredEvent = 'Stage Entered';

export interface StageChangeRecord {
  seq: number;
  profileId: string;
  from: string | null;
  to: string | null;
  at: number;
  eventOffset: number | null;
  /** This is the profile's n-th stage change: stable across replays. */
  ordinal: number;
}

/**
 * A stage change as a `Stage Entered` log event (`stage: null` when the profile left the map,
 * e.g. merged into another). The messageId names the profile's n-th change, so a replay that
 * rebuilds the same history emits the same ids, which the log's dedup drops.
 */
export function stageEventOf(change: StageChangeRecord, receivedAt: number): NewEvent {
  const messageId = `stage-entered:${change.profileId}:${change.ordinal}`;
  const message = {
    type: 'track',
    event: stageEnteredEvent,
    messageId,
    userId: null,
    anonymousId: change.profileId,
    timestamp: new Date(change.at).toISOString(),
    properties: {
      stage: change.to,
      previousStage: change.from,
      profileId: change.profileId,
      changeSeq: change.seq,
      causedBy: change.eventOffset === null ? null : { offset: change.eventOffset },
    },
    context: { library: { name: 'attune', version: '1' } },
  };
  return {
    sourceId: internalSourceId,
    messageId,
    type: 'track',
    event: stageEnteredEvent,
    userId: null,
    anonymousId: change.profileId,
    timestamp: change.at,
    originalTimestamp: change.at,
    sentAt: null,
    receivedAt,
    message: JSON.stringify(message),
  };
}
