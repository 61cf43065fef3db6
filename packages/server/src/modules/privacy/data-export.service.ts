import type { ProfileExport, StoredEvent } from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { LoggedEvent } from '../event-log/event-log.store.js';
import { toStoredEvent } from '../event-log/stored-event.js';
import type { ProfilesService } from '../profiles/profiles.service.js';
import { ErasureError } from './erasure.service.js';
import type { Subject } from './subject.js';
import { decisionServedEvent } from '../decisions/served-log.js';

/** The subject's segment and stage records (state.db). Times are epoch ms. */
export interface SubjectRecords {
  segmentMemberships(profileIds: readonly string[]): Record<string, unknown>[];
  segmentChanges(profileIds: readonly string[]): Record<string, unknown>[];
  stage(profileIds: readonly string[]): Record<string, unknown> | null;
  stageChanges(profileIds: readonly string[]): Record<string, unknown>[];
}

export interface DataExportDeps {
  resolve(profileId: string): string | undefined;
  /** The subject's profiles and identifiers, grown over the identity graph. */
  subjectOf(profileId: string): Subject;
  /** Offsets of every event about the subject, ascending. */
  eventOffsets(subject: Subject): number[];
  readEvents(offsets: number[]): Promise<LoggedEvent[]>;
  profiles: Pick<ProfilesService, 'get' | 'merges'>;
  records: SubjectRecords;
  /** The subject's consent history (the consent module). */
  consentHistory(profileId: string): Promise<unknown[]>;
  clock: Clock;
}

const page = 1_000;

/** Everything Attune holds on one person, as one JSON document (GDPR art. 15 and 20). */
export class DataExportService {
  constructor(private readonly deps: DataExportDeps) {}

  async export(profileId: string): Promise<ProfileExport> {
    const { deps } = this;
    const survivor = deps.resolve(profileId);
    if (survivor === undefined) throw new ErasureError('not_found', `No profile ${profileId}`);
    const subject = deps.subjectOf(survivor);
    const offsets = deps.eventOffsets(subject);
    const events: StoredEvent[] = [];
    // Paged reads: one statement per thousand events, not one huge JSON parameter.
    for (let i = 0; i < offsets.length; i += page) {
      for (const e of await deps.readEvents(offsets.slice(i, i + page)))
        events.push(toStoredEvent(e));
    }
    const ids = subject.profileIds;
    const iso = (rows: Record<string, unknown>[], ...keys: string[]) =>
      rows.map((r) => withIsoTimes(r, keys));
    const stage = deps.records.stage(ids);
    return {
      exportedAt: formatIsoTimestamp(deps.clock.now()),
      profile: deps.profiles.get(survivor),
      identities: subject.identifiers.map((i) => ({ ...i })),
      merges: deps.profiles.merges(survivor),
      events,
      segments: {
        current: iso(deps.records.segmentMemberships(ids), 'since'),
        history: iso(deps.records.segmentChanges(ids), 'at').map((c) => ({
          ...c,
          entered: c['entered'] === 1,
        })),
      },
      stage: {
        current: stage === null ? null : withIsoTimes(stage, ['since']),
        history: iso(deps.records.stageChanges(ids), 'at'),
      },
      consent: await deps.consentHistory(survivor),
      decisions: events.filter((e) => e.type === 'track' && e.event === decisionServedEvent),
    };
  }
}

function withIsoTimes(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...row };
  for (const k of keys) if (typeof out[k] === 'number') out[k] = formatIsoTimestamp(out[k]);
  return out;
}
