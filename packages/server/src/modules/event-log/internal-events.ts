import type { NewEvent } from './event-log.store.js';

/** Events Attune writes itself come from this source; the processor does not profile them. */
export const internalSourceId = 'attune';

/**
 * A track event Attune announces (merges, memberships, stages), about a profile: the profile
 * id rides as the anonymousId, so consumers can group by it. The messageId must be a function
 * of what is announced, so announcing it again is dropped by the log's dedup.
 */
export function internalTrackEvent(
  e: { event: string; messageId: string; profileId: string; at: number; properties: object },
  receivedAt: number,
): NewEvent {
  const message = {
    type: 'track',
    event: e.event,
    messageId: e.messageId,
    userId: null,
    anonymousId: e.profileId,
    timestamp: new Date(e.at).toISOString(),
    properties: e.properties,
    context: { library: { name: 'attune', version: '1' } },
  };
  return {
    sourceId: internalSourceId,
    messageId: e.messageId,
    type: 'track',
    event: e.event,
    userId: null,
    anonymousId: e.profileId,
    timestamp: e.at,
    originalTimestamp: e.at,
    sentAt: null,
    receivedAt,
    message: JSON.stringify(message),
  };
}
