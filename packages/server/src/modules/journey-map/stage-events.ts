import type { NewEvent } from '../event-log/event-log.store.js';
import { internalTrackEvent } from '../event-log/internal-events.js';

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
  return internalTrackEvent(
    {
      event: stageEnteredEvent,
      messageId: `stage-entered:${change.profileId}:${change.ordinal}`,
      profileId: change.profileId,
      at: change.at,
      properties: {
        stage: change.to,
        previousStage: change.from,
        profileId: change.profileId,
        changeSeq: change.seq,
        causedBy: change.eventOffset === null ? null : { offset: change.eventOffset },
      },
    },
    receivedAt,
  );
}
