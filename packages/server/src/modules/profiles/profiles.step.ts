import {
  anonymizedIdPrefix,
  applyTraits,
  emptyTraits,
  extractIdentifiers,
  mergeActivity,
  mergeComputed,
  mergeTraits,
  recordActivity,
  resolveIdentity,
  updateComputed,
  type ComputedTraitDefinition,
  type IdentityRules,
} from '@attune/engine';
import type { IdentifierIssueCount, IdentityStore } from '../identity/identity.store.js';
import { internalSourceId } from '../identity/merge-events.js';
import type { ProcessorEvent, ProcessorStep } from '../processor/processor-step.js';
import { messageTraits } from './message-traits.js';
import { profileMessage } from './profile-message.js';
import {
  keyedRecord,
  timelineChunkSize,
  type ProfileData,
  type ProfileStore,
} from './profile.store.js';

const hourMs = 3_600_000;

/**
 * Later stages that work on profiles as the step updates them (segments, stages…), inside
 * the same transaction: whatever they change on the profile object is saved with it.
 */
export interface ProfileObserver {
  /** `merged` has just been folded into `survivor` (and will be removed). */
  profilesMerged(survivor: ProfileData, merged: ProfileData): void;
  /** The event has just been folded into its profile. */
  eventApplied(profile: ProfileData, event: AppliedEvent): void;
  /** Whether it reads the properties of this track event (else they may go unparsed). */
  readsProperties(eventName: string): boolean;
}

export interface AppliedEvent {
  offset: number;
  type: string;
  /** Track event name (null for other types). */
  name: string | null;
  timestamp: number;
  properties: Readonly<Record<string, unknown>>;
  /** Whether the message set traits. */
  traitsChanged: boolean;
}

/** Profiles for stages that change them outside an event (timers, backfills). */
export interface ProfileAccess {
  /** The profile to change in this transaction; saved at its end. */
  loadForUpdate(id: string): ProfileData | undefined;
  /** Writes the profiles changed so far (so queries over the stored profiles see them). */
  flush(): void;
}

/**
 * Identity resolution and profile upkeep, event by event in log order: resolve the
 * event's identifiers (merging profiles when they meet), then fold the event into its
 * profile — traits (newest by event time wins), first/last seen, event count, timeline.
 * Profiles touched in a transaction are written once, at its end (`flush`).
 */
export class ProfilesStep implements ProcessorStep, ProfileAccess {
  readonly name = 'profiles';
  readonly needsMessage = true;
  /**
   * Profiles changed in the open transaction, written at `flush`. Only these are kept as
   * objects; between transactions the store keeps recent ones as text (SqliteProfileStore).
   */
  private readonly touched = new Map<string, ProfileData>();
  /** Refused identifiers counted in the open transaction. */
  private readonly issues = new Map<string, IdentifierIssueCount>();
  /** Whether a computed trait or an observer reads this track event's properties. */
  private readonly readsProperties: (eventName: string) => boolean;
  /** Profiles changed since `takeUpdated`, for readers that cache them (decide). */
  private updated = new Set<string>();
  private readonly withComputedTraits: ReadonlySet<string>;
  /** Track events whose profile updates `takeUpdated` leaves out (see the constructor). */
  private readonly bookkeeping: ReadonlySet<string>;

  constructor(
    private readonly identity: IdentityStore,
    private readonly profiles: ProfileStore,
    private readonly rules: IdentityRules,
    /** Built-in RFM definitions plus the user's. */
    private readonly definitions: readonly ComputedTraitDefinition[],
    private readonly observers: readonly ProfileObserver[] = [],
    /**
     * Events about what Attune did for the person (Decision Served). The processor applies
     * them only while a segment or computed trait is defined on them (`wantsTrack`). Then
     * they count on the profile and sit in its timeline, but a profile they alone touched
     * is not reported by `takeUpdated`, so caches of profiles are not emptied by their own
     * telemetry. Only their own `computed.eventCounts`/`lastSeen` entries then lag in such
     * caches; an event with a computed trait defined on it is reported as usual.
     */
    bookkeepingEvents: readonly string[] = [],
  ) {
    const withComputedTraits = new Set(definitions.map((d) => d.event));
    this.withComputedTraits = withComputedTraits;
    this.readsProperties = (name) =>
      withComputedTraits.has(name) || this.observers.some((o) => o.readsProperties(name));
    this.bookkeeping = new Set(bookkeepingEvents.filter((name) => !withComputedTraits.has(name)));
  }

  /** Events a computed trait is defined on. */
  wantsTrack(name: string): boolean {
    return this.withComputedTraits.has(name);
  }

  /**
   * The profiles saved, merged or removed since the last call (committed or about to be),
   * except those only bookkeeping events touched. Observers report their own changes
   * (memberships, stages) separately.
   */
  takeUpdated(): string[] {
    const ids = [...this.updated];
    this.updated.clear();
    return ids;
  }

  /** Cached profiles were changed by the batch that rolled back: forget them. */
  discard(): void {
    this.touched.clear();
    this.issues.clear();
    this.updated.clear();
    this.profiles.discardCache();
    this.identity.discardCache();
  }

  loadForUpdate(id: string): ProfileData | undefined {
    const profile = this.touched.get(id) ?? this.profiles.load(id);
    if (profile !== undefined) this.touched.set(id, profile);
    return profile;
  }

  apply(events: readonly ProcessorEvent[]): void {
    const { touched, issues } = this;
    const load = (id: string): ProfileData | undefined => touched.get(id) ?? this.profiles.load(id);

    for (const event of events) {
      if (event.message === undefined) continue;
      // Attune's own events are not about a person (the log's processing read skips them).
      if (event.sourceId === internalSourceId) continue;
      // Stored anonymized for lack of analytics consent: a one-off id, no person to profile.
      if (event.userId === null && event.anonymousId?.startsWith(anonymizedIdPrefix)) continue;
      const message = profileMessage(event, event.message, this.readsProperties);
      const extracted = extractIdentifiers(message, this.rules);
      for (const refused of extracted.rejected) {
        const hour = event.receivedAt - (event.receivedAt % hourMs);
        const key = `${hour}\u0000${refused.type}\u0000${refused.reason}`;
        const counted = issues.get(key);
        if (counted === undefined) issues.set(key, { hour, ...refused, count: 1 });
        else counted.count++;
      }
      // Nothing usable to tie it to a person (only junk ids): it stays in the log, unprofiled.
      if (extracted.identifiers.length === 0 && extracted.previousId === null) continue;

      const plan = resolveIdentity(extracted, this.identity, this.rules, `p_${event.offset}`);
      this.identity.apply(plan, {
        offset: event.offset,
        messageId: event.messageId,
        timestamp: event.timestamp,
      });
      for (const { survivor, merged } of plan.merges) {
        const into = load(survivor);
        const from = load(merged);
        if (into !== undefined && from !== undefined) {
          foldProfile(into, from, this.definitions);
          this.flushTimeline(into);
          touched.set(into.id, into);
        }
        touched.delete(merged);
        this.updated.add(survivor).add(merged);
        this.profiles.remove(merged);
        this.profiles.moveEvents(merged, survivor);
        if (into !== undefined && from !== undefined)
          for (const observer of this.observers) observer.profilesMerged(into, from);
      }

      let profile = load(plan.profileId);
      profile ??= newProfile(plan.profileId, event.timestamp);
      profile.firstSeen = Math.min(profile.firstSeen, event.timestamp);
      profile.lastSeen = Math.max(profile.lastSeen, event.timestamp);
      profile.eventCount++;
      const traits = messageTraits(message);
      if (traits !== undefined) applyTraits(profile.traits, traits, event.timestamp);
      const rawProperties = message['properties'];
      const properties =
        typeof rawProperties === 'object' && rawProperties !== null
          ? (rawProperties as Record<string, unknown>)
          : noProperties;
      const name = event.type === 'track' ? event.event : null;
      if (name !== null) {
        recordActivity(profile.computed.activity, name, event.timestamp);
        updateComputed(
          profile.computed.aggregates,
          this.definitions,
          name,
          properties,
          event.timestamp,
        );
      }
      profile.recentEvents.push(event.offset);
      this.flushTimeline(profile);
      touched.set(profile.id, profile);
      if (name === null || !this.bookkeeping.has(name)) this.updated.add(profile.id);
      for (const observer of this.observers) {
        observer.eventApplied(profile, {
          offset: event.offset,
          type: event.type,
          name,
          timestamp: event.timestamp,
          properties,
          traitsChanged: traits !== undefined,
        });
      }
    }
  }

  flush(): void {
    for (const profile of this.touched.values()) this.profiles.save(profile);
    this.touched.clear();
    this.identity.countIdentifierIssues([...this.issues.values()]);
    this.issues.clear();
  }

  private flushTimeline(profile: ProfileData): void {
    if (profile.recentEvents.length < timelineChunkSize) return;
    this.profiles.appendTimeline(profile.id, profile.recentEvents);
    profile.recentEvents = [];
  }
}

const noProperties: Readonly<Record<string, unknown>> = Object.freeze({});

function newProfile(id: string, time: number): ProfileData {
  return {
    id,
    firstSeen: time,
    lastSeen: time,
    eventCount: 0,
    traits: emptyTraits(),
    computed: { activity: {}, aggregates: {} },
    recentEvents: [],
    trails: keyedRecord(),
    segments: { members: keyedRecord(), timer: null },
  };
}

/** A merged profile's data joins the survivor's. */
function foldProfile(
  into: ProfileData,
  from: ProfileData,
  definitions: readonly ComputedTraitDefinition[],
): void {
  into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
  into.eventCount += from.eventCount;
  mergeTraits(into.traits, from.traits);
  mergeActivity(into.computed.activity, from.computed.activity);
  mergeComputed(into.computed.aggregates, from.computed.aggregates, definitions);
  into.recentEvents = [...into.recentEvents, ...from.recentEvents].sort((a, b) => a - b);
}
