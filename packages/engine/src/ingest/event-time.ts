export interface EventTimeInput {
  /** When the server received the request (server clock). */
  receivedAt: number;
  /** When the client sent the request (client clock), if the client said. */
  sentAt: number | null;
  /** When the event happened (client clock), if the client said. */
  originalTimestamp: number | null;
}

/**
 * The Segment clock-skew correction: a client whose clock is off by d reports both
 * `timestamp` and `sentAt` off by d, so `receivedAt − (sentAt − timestamp)` places the
 * event on the server's clock. Without `sentAt` the client's time is trusted as is;
 * without a client time the event happened when it was received.
 */
export function resolveEventTime({
  receivedAt,
  sentAt,
  originalTimestamp,
}: EventTimeInput): number {
  if (originalTimestamp === null) return receivedAt;
  if (sentAt === null) return originalTimestamp;
  return receivedAt - (sentAt - originalTimestamp);
}
