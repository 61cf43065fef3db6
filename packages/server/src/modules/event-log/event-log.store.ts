import type { MessageType } from '@attune/contracts';

/** An event ready to append: normalized fields plus the message as JSON text. */
export interface NewEvent {
  sourceId: string;
  messageId: string;
  type: MessageType;
  /** track: event name; page/screen: name; otherwise null. */
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** Skew-corrected event time, epoch ms. */
  timestamp: number;
  originalTimestamp: number | null;
  sentAt: number | null;
  receivedAt: number;
  /** The message as received (batch defaults merged, writeKey removed), JSON text. */
  message: string;
}

export interface LoggedEvent extends NewEvent {
  offset: number;
}

/** A logged event without its message text, for consumers that need only the fields. */
export type EventFields = Omit<LoggedEvent, 'message'>;

export interface AppendResult {
  /** Per appended event, in order: its offset, or null when it was a duplicate. */
  offsets: (number | null)[];
}

export interface EventFilter {
  sourceId?: string | undefined;
  type?: MessageType | undefined;
  event?: string | undefined;
  userId?: string | undefined;
  anonymousId?: string | undefined;
  /** Event time range [from, to), epoch ms. */
  timestampFrom?: number | undefined;
  timestampTo?: number | undefined;
}

/** A track event as trails read it (EventLog.readTracks). */
export interface TrackRead {
  offset: number;
  event: string;
  timestamp: number;
  /** Null when not asked for. */
  properties: Record<string, unknown> | null;
}

/** One read of the processor (EventLog.readToProcess). */
export interface ProcessingRead {
  /** The events to process, in offset order (with the message when asked for). */
  events: (EventFields & { message?: string })[];
  /** The last offset this read covered, events or not: the next read starts after it. */
  through: number;
  /** True when the read reached the end of the log. */
  reachedEnd: boolean;
}

export interface ScanResult {
  events: LoggedEvent[];
  /** The highest offset examined; continue after it. */
  scannedThrough: number;
  /** True when the scan reached the end of the log. */
  reachedEnd: boolean;
}

/**
 * The event log: the source of truth. `append` resolves only once the events are durable;
 * offsets strictly increase and are never reused.
 */
export interface EventLog {
  append(events: NewEvent[]): Promise<AppendResult>;
  /** Events with offset > afterOffset, in offset order. */
  read(afterOffset: number, limit: number): Promise<LoggedEvent[]>;
  /** The events at these offsets (those that exist), in offset order. */
  readOffsets(offsets: number[]): Promise<LoggedEvent[]>;
  /**
   * The track events among these offsets named in `events`, in offset order: name and time,
   * plus the (decrypted) properties of those named in `withProperties`. What segment trails
   * are folded from, without reading or decrypting whole messages.
   */
  readTracks(
    offsets: number[],
    events: readonly string[],
    withProperties: readonly string[],
  ): Promise<TrackRead[]>;
  /** Like read, without the message text: cheaper for consumers of the fields only. */
  readFields(afterOffset: number, limit: number): Promise<EventFields[]>;
  /**
   * What the processor consumes: the events among the next `limit` offsets, except Attune's
   * own announcements (source `attune`: merges, memberships, stages), which only restate
   * what the processor itself committed, and track events named in `skipTracks`. The
   * message only `withMessage`.
   */
  readToProcess(
    afterOffset: number,
    limit: number,
    withMessage: boolean,
    skipTracks?: readonly string[],
  ): Promise<ProcessingRead>;
  /**
   * Like read, but only events matching the filter, examining at most `maxScanned`
   * events so a selective filter over a long log stays bounded.
   */
  scan(
    afterOffset: number,
    limit: number,
    filter: EventFilter,
    maxScanned: number,
  ): Promise<ScanResult>;
  lastOffset(): Promise<number>;
  /** Called after each durable append in this process with the new last offset. */
  onAppend(listener: (lastOffset: number) => void): () => void;
  close(): Promise<void>;
}
