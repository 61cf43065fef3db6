import type {
  Condition,
  ProfileSegmentsView,
  SegmentInput,
  SegmentMembersPage,
  SegmentPreview,
  SegmentPreviewInput,
  SegmentSizeHistory,
  SegmentSizeHistoryQuery,
  SegmentVersionView,
  SegmentView,
} from '@attune/contracts';
import {
  checkCondition,
  compileCondition,
  formatIsoTimestamp,
  parseIsoTimestamp,
} from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import { findCycle, segmentReferences } from './segment-dependencies.js';
import type { SegmentPreviewer } from './segment-preview.js';
import type {
  SegmentDefinition,
  SegmentDefinitionsStore,
  SegmentRecord,
} from './segment-definitions.store.js';
import type { SegmentMembersStore } from './segment-members.store.js';

export type SegmentErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  | 'invalid_condition'
  | 'unknown_segment'
  | 'segment_cycle';

/** An expected failure of a segments request; the routes turn it into problem+json. */
export class SegmentRequestError extends Error {
  constructor(
    readonly code: SegmentErrorCode,
    readonly field: string | undefined,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'SegmentRequestError';
  }
}

/** How the segments module finds a profile (the profiles module's service). */
export interface ProfileResolver {
  /** The surviving profile id of a profile id or `type:value`; throws when there is none. */
  idOf(ref: string): string;
}

export interface SegmentsServiceDeps {
  definitions: SegmentDefinitionsStore;
  members: SegmentMembersStore;
  profiles: ProfileResolver;
  previewer: Pick<SegmentPreviewer, 'preview'>;
  clock: Clock;
}

const maxIdLength = 64;
const hourMs = 3_600_000;
const dayMs = 86_400_000;
/** The most points a size history answers with (83 days of hours, 5 years of days). */
const maxBuckets = 2000;

/**
 * Segment definitions (create, edit as new versions, delete) and reads of the memberships
 * the processor computes. Definitions are checked before they are stored: the condition
 * compiles, every segment it refers to exists, and no segment depends on itself.
 */
export class SegmentsService {
  private readonly definitions: SegmentDefinitionsStore;
  private readonly memberships: SegmentMembersStore;
  private readonly profiles: ProfileResolver;
  private readonly previewer: Pick<SegmentPreviewer, 'preview'>;
  private readonly clock: Clock;

  constructor(deps: SegmentsServiceDeps) {
    this.definitions = deps.definitions;
    this.memberships = deps.members;
    this.profiles = deps.profiles;
    this.previewer = deps.previewer;
    this.clock = deps.clock;
  }

  create(input: SegmentInput): SegmentView {
    let id = input.id;
    if (id === undefined) id = this.freeIdFor(input.name);
    else {
      const existing = this.definitions.get(id);
      if (existing !== undefined)
        throw new SegmentRequestError(
          'conflict',
          '/id',
          existing.deletedAt === null
            ? `Segment ${id} already exists; edit it with PUT /v1/segments/${id}`
            : `Segment ${id} was deleted and its id is not reused; choose another id`,
        );
    }
    const definition = this.checked(id, input);
    return this.view(this.definitions.create(id, definition, this.clock.now()));
  }

  /** Stores the input as the next version; an input equal to the current one changes nothing. */
  update(id: string, input: SegmentInput): SegmentView {
    if (input.id !== undefined && input.id !== id)
      throw new SegmentRequestError(
        'invalid_request',
        '/id',
        `The body's id ${input.id} differs from the path's ${id}; ids cannot be changed`,
      );
    const current = this.active(id);
    if (sameDefinition(current, input)) return this.view(current);
    const definition = this.checked(id, input);
    const updated = this.definitions.update(id, definition, this.clock.now());
    if (updated === undefined) throw notFound(id);
    return this.view(updated);
  }

  delete(id: string): void {
    this.active(id);
    const referrers = this.definitions
      .activeDefinitions()
      .filter((d) => d.id !== id && dependenciesOf(d.condition).has(id))
      .map((d) => d.id);
    if (referrers.length > 0)
      throw new SegmentRequestError(
        'conflict',
        undefined,
        `Segment ${id} is used by ${referrers.join(', ')}; change or delete ${referrers.length === 1 ? 'it' : 'them'} first`,
        { referencedBy: referrers },
      );
    if (!this.definitions.softDelete(id, this.clock.now())) throw notFound(id);
  }

  /** Whether a segment has ever had this id (deleted ones keep theirs). */
  idUsed(id: string): boolean {
    return this.definitions.get(id) !== undefined;
  }

  get(id: string): SegmentView {
    return this.view(this.active(id));
  }

  list(): SegmentView[] {
    return this.definitions.list().map((record) => this.view(record));
  }

  versions(id: string): SegmentVersionView[] {
    this.active(id);
    return this.definitions.versions(id).map((v) => ({
      version: v.version,
      name: v.name,
      description: v.description,
      condition: v.condition,
      createdAt: formatIsoTimestamp(v.createdAt),
    }));
  }

  members(id: string, cursor: string, limit: number): SegmentMembersPage {
    this.active(id);
    // One more than asked, so the last page says so.
    const rows = this.memberships.members(id, cursor, limit + 1);
    const page = rows.slice(0, limit);
    return {
      members: page.map((m) => ({
        profileId: m.profileId,
        since: formatIsoTimestamp(m.since),
        version: m.version,
      })),
      cursor: rows.length > limit ? (page[page.length - 1]?.profileId ?? null) : null,
    };
  }

  /** How many stored profiles a draft condition matches, with a sample; nothing is saved. */
  async preview(input: SegmentPreviewInput): Promise<SegmentPreview> {
    const condition = this.checkedCondition(input.condition, null);
    const result = await this.previewer.preview(condition, {
      sample: input.sample ?? 10,
      maxProfiles: input.maxProfiles ?? 20_000,
    });
    return { ...result, sample: result.sample.map((profileId) => ({ profileId })) };
  }

  /** The segment's size at the end of each hour or day, from its recorded entries and exits. */
  sizeHistory(id: string, query: SegmentSizeHistoryQuery): SegmentSizeHistory {
    this.active(id);
    const interval = query.interval ?? 'day';
    const width = interval === 'hour' ? hourMs : dayMs;
    const to = query.to === undefined ? this.clock.now() : instantOf(query.to, '/to');
    const from =
      query.from === undefined
        ? to - width * (interval === 'hour' ? 48 : 30)
        : instantOf(query.from, '/from');
    if (from >= to)
      throw new SegmentRequestError('invalid_request', '/from', '`from` must be before `to`');
    // Whole UTC hours or days: `from` down to its bucket's start, `to` up to its bucket's end.
    const start = Math.floor(from / width) * width;
    const buckets = Math.ceil((to - start) / width);
    if (buckets > maxBuckets)
      throw new SegmentRequestError(
        'invalid_request',
        '/from',
        `The range spans ${buckets} ${interval}s; at most ${maxBuckets} fit in one answer`,
      );
    const sizes = this.memberships.sizeHistory(id, start, width, buckets);
    return {
      interval,
      from: formatIsoTimestamp(start),
      to: formatIsoTimestamp(start + width * buckets),
      points: sizes.map((size, i) => ({ at: formatIsoTimestamp(start + width * i), size })),
    };
  }

  /** A profile's current memberships (of segments not deleted) and latest changes. */
  profileSegments(ref: string, historyLimit: number): ProfileSegmentsView {
    const profileId = this.profiles.idOf(ref);
    const names = new Map(this.definitions.list().map((s) => [s.id, s.name]));
    const segments = this.memberships.segmentsOf(profileId).flatMap((m) => {
      const name = names.get(m.segmentId);
      return name === undefined
        ? []
        : [
            {
              segmentId: m.segmentId,
              name,
              since: formatIsoTimestamp(m.since),
              version: m.version,
            },
          ];
    });
    const history =
      historyLimit === 0
        ? []
        : this.memberships.changesOf(profileId, historyLimit).map((c) => ({
            segmentId: c.segmentId,
            version: c.version,
            change: c.entered ? ('entered' as const) : ('exited' as const),
            at: formatIsoTimestamp(c.at),
            eventOffset: c.eventOffset,
          }));
    return { profileId, segments, history };
  }

  private active(id: string): SegmentRecord {
    const record = this.definitions.get(id);
    if (record === undefined || record.deletedAt !== null) throw notFound(id);
    return record;
  }

  /** The definition to store for segment `id`, or the first reason it cannot be. */
  private checked(id: string, input: SegmentInput): SegmentDefinition {
    const condition = this.checkedCondition(input.condition, id);
    this.refuseCycle(id, condition);
    return { name: input.name, description: input.description ?? null, condition };
  }

  /**
   * The condition if it compiles and every segment it refers to exists (a reference to
   * `selfId` is left to the cycle check), or the first reason it cannot be used.
   */
  private checkedCondition(value: unknown, selfId: string | null): Condition {
    const issue = checkCondition(value, '/condition')[0];
    if (issue !== undefined)
      throw new SegmentRequestError('invalid_condition', issue.path || '/condition', issue.message);
    const condition = value as Condition;
    for (const ref of segmentReferences(condition, '/condition')) {
      if (ref.segmentId === selfId) continue;
      const target = this.definitions.get(ref.segmentId);
      if (target === undefined || target.deletedAt !== null)
        throw new SegmentRequestError(
          'unknown_segment',
          ref.path,
          target === undefined
            ? `There is no segment ${ref.segmentId}`
            : `Segment ${ref.segmentId} was deleted`,
        );
    }
    return condition;
  }

  private refuseCycle(id: string, condition: Condition): void {
    const dependencies = new Map(
      this.definitions.activeDefinitions().map((d) => [d.id, dependenciesOf(d.condition)]),
    );
    dependencies.set(id, dependenciesOf(condition));
    const cycle = findCycle(id, (segmentId) => dependencies.get(segmentId) ?? []);
    if (cycle !== null)
      throw new SegmentRequestError(
        'segment_cycle',
        '/condition',
        `Segment ${id} would depend on itself: ${cycle.join(' → ')}`,
        { cycle },
      );
  }

  /** A slug of the name that no segment (deleted ones included) has: `name`, `name-2`, … */
  private freeIdFor(name: string): string {
    const base = slugOf(name);
    let candidate = base;
    for (let n = 2; this.idUsed(candidate); n++) {
      const suffix = `-${n}`;
      candidate = `${base.slice(0, maxIdLength - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    return candidate;
  }

  private view(record: SegmentRecord): SegmentView {
    const status = this.memberships.status(record.id);
    return {
      id: record.id,
      name: record.name,
      description: record.description,
      version: record.version,
      condition: record.condition,
      createdAt: formatIsoTimestamp(record.createdAt),
      updatedAt: formatIsoTimestamp(record.updatedAt),
      status:
        status === undefined
          ? null
          : {
              state: status.state,
              version: status.version,
              profilesDone: status.profilesDone,
              profilesTotal: status.profilesTotal,
              size: this.memberships.size(record.id),
            },
    };
  }
}

/** Lower-case letters and digits of the name, other runs as `-`; `segment` if none are left. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, maxIdLength)
    .replace(/-+$/, '');
  return slug === '' ? 'segment' : slug;
}

function dependenciesOf(condition: Condition): Set<string> {
  return compileCondition(condition).dependencies.segments;
}

function sameDefinition(current: SegmentRecord, input: SegmentInput): boolean {
  return (
    current.name === input.name &&
    current.description === (input.description ?? null) &&
    JSON.stringify(current.condition) === JSON.stringify(input.condition)
  );
}

/** An ISO-8601 date-time or epoch milliseconds. */
function instantOf(text: string, field: string): number {
  const parsed = /^\d{1,15}$/.test(text) ? Number(text) : parseIsoTimestamp(text);
  if (parsed === null)
    throw new SegmentRequestError(
      'invalid_request',
      field,
      `${field.slice(1)} must be an ISO-8601 date-time or epoch milliseconds; got ${JSON.stringify(text)}`,
    );
  return parsed;
}

function notFound(id: string): SegmentRequestError {
  return new SegmentRequestError('not_found', undefined, `No segment ${id}`);
}
