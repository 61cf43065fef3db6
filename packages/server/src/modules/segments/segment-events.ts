import type { NewEvent } from '../event-log/event-log.store.js';
import { internalTrackEvent } from '../event-log/internal-events.js';

export const segmentEnteredEvent = 'Segment Entered';
export const segmentExitedEvent = 'Segment Exited';

/** A membership change as the outbox reads it. */
export interface SegmentChangeRecord {
  seq: number;
  segmentId: string;
  version: number;
  profileId: string;
  entered: boolean;
  at: number;
  eventOffset: number | null;
  /** This is the profile's n-th entry (or exit) of the segment: stable across replays. */
  ordinal: number;
}

/** Where the outbox of membership changes reads them (the state file). */
export interface SegmentChangeSource {
  changesAfter(seq: number, limit: number): SegmentChangeRecord[];
  segmentEventsLoggedThrough(): number;
}

/**
 * A membership change as a log event, for exports, webhooks and journeys. The messageId
 * names the profile's n-th entry into (or exit from) the segment, so a replay that rebuilds
 * the same history emits the same ids, which the log's dedup drops.
 */
export function segmentEventOf(change: SegmentChangeRecord, receivedAt: number): NewEvent {
  const what = change.entered ? 'entered' : 'exited';
  return internalTrackEvent(
    {
      event: change.entered ? segmentEnteredEvent : segmentExitedEvent,
      messageId: `segment-${what}:${change.segmentId}:${change.profileId}:${change.ordinal}`,
      profileId: change.profileId,
      at: change.at,
      properties: {
        segmentId: change.segmentId,
        version: change.version,
        profileId: change.profileId,
        changeSeq: change.seq,
        causedBy: change.eventOffset === null ? null : { offset: change.eventOffset },
      },
    },
    receivedAt,
  );
}
