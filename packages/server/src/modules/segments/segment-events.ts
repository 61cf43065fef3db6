import type { NewEvent } from '../event-log/event-log.store.js';
import { internalSourceId } from '../identity/merge-events.js';

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
  const event = change.entered ? segmentEnteredEvent : segmentExitedEvent;
  const messageId = `segment-${change.entered ? 'entered' : 'exited'}:${change.segmentId}:${change.profileId}:${change.ordinal}`;
  const message = {
    type: 'track',
    event,
    messageId,
    userId: null,
    anonymousId: change.profileId,
    timestamp: new Date(change.at).toISOString(),
    properties: {
      segmentId: change.segmentId,
      version: change.version,
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
    event,
    userId: null,
    anonymousId: change.profileId,
    timestamp: change.at,
    originalTimestamp: change.at,
    sentAt: null,
    receivedAt,
    message: JSON.stringify(message),
  };
}
