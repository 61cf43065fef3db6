import type { ProcessorEvent, ProcessorStep } from './processor-step.js';

export interface EventVolumeDelta {
  sourceId: string;
  type: string;
  /** Event name, or '' for messages without one. */
  event: string;
  count: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
}

export interface EventVolumeStore {
  add(deltas: EventVolumeDelta[]): void;
}

/**
 * The built-in processor step: how many events of each source, type and name have been
 * seen, and when first and last — the data behind a "what is being tracked" view.
 */
export class EventVolumeStep implements ProcessorStep {
  readonly name = 'event-volume';
  readonly needsMessage = false;

  constructor(private readonly store: EventVolumeStore) {}

  apply(events: readonly ProcessorEvent[]): void {
    const deltas = new Map<string, EventVolumeDelta>();
    for (const e of events) {
      const name = e.event ?? '';
      const key = `${e.sourceId}\u0000${e.type}\u0000${name}`;
      const delta = deltas.get(key);
      if (delta === undefined) {
        deltas.set(key, {
          sourceId: e.sourceId,
          type: e.type,
          event: name,
          count: 1,
          firstReceivedAt: e.receivedAt,
          lastReceivedAt: e.receivedAt,
        });
      } else {
        delta.count++;
        delta.firstReceivedAt = Math.min(delta.firstReceivedAt, e.receivedAt);
        delta.lastReceivedAt = Math.max(delta.lastReceivedAt, e.receivedAt);
      }
    }
    this.store.add([...deltas.values()]);
  }
}
