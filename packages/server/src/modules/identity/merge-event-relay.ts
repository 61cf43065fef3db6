import type { Clock } from '../../platform/clock.js';
import type { EventLog } from '../event-log/event-log.store.js';
import { OutboxRelay, type RelayLogger } from '../event-log/outbox-relay.js';
import type { Identifier } from '@attune/engine';
import type { IdentityStore, MergeRecord } from './identity.store.js';
import { mergeEventOf } from './merge-events.js';

export type { RelayLogger } from '../event-log/outbox-relay.js';

/** The outbox of identity merges: each becomes an `Identity Merged` event in the log. */
export class MergeEventRelay extends OutboxRelay<MergeRecord> {
  constructor(deps: {
    merges: Pick<IdentityStore, 'mergesAfter' | 'mergeEventsLoggedThrough'>;
    log: Pick<EventLog, 'append'>;
    clock: Clock;
    logger: RelayLogger;
    noteLogged: (seq: number) => void;
    batchSize?: number;
    /**
     * How an identifier's value is written into the event: encrypted, as the log holds PII
     * (readers of the log decrypt it).
     */
    sealValue: (value: string) => string;
  }) {
    const { merges, sealValue, ...rest } = deps;
    const seal = (id: Identifier): Identifier => ({ type: id.type, value: sealValue(id.value) });
    super({
      ...rest,
      source: {
        what: 'identity merge events',
        pendingAfter: (seq, limit) => merges.mergesAfter(seq, limit),
        loggedThrough: () => merges.mergeEventsLoggedThrough(),
        toEvent: (merge, receivedAt) =>
          mergeEventOf({ ...merge, identifiers: merge.identifiers.map(seal) }, receivedAt),
      },
    });
  }
}
