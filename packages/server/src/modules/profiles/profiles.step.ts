import {
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
import type { IdentityStore } from '../identity/identity.store.js';
import type { ProcessorEvent, ProcessorStep } from '../processor/processor-step.js';
import { messageTraits } from './message-traits.js';
import type { ProfileData, ProfileStore } from './profile.store.js';

/** Events Attune writes itself (e.g. `Identity Merged`) come from this source and are not re-resolved. */
export const internalSourceId = 'attune';

/**
 * Identity resolution and profile upkeep, event by event in log order: resolve the
 * event's identifiers (merging profiles when they meet), then fold the event into its
 * profile — traits (newest by event time wins), first/last seen, event count, timeline.
 * Profiles touched in a batch are written once at its end.
 */
export class ProfilesStep implements ProcessorStep {
  readonly name = 'profiles';
  readonly needsMessage = true;

  constructor(
    private readonly identity: IdentityStore,
    private readonly profiles: ProfileStore,
    private readonly rules: IdentityRules,
    /** Built-in RFM definitions plus the user's. */
    private readonly definitions: readonly ComputedTraitDefinition[],
  ) {}

  apply(events: readonly ProcessorEvent[]): void {
    const touched = new Map<string, ProfileData>();
    const load = (id: string): ProfileData | undefined => touched.get(id) ?? this.profiles.load(id);

    for (const event of events) {
      if (event.sourceId === internalSourceId || event.message === undefined) continue;
      const message = JSON.parse(event.message) as Record<string, unknown>;
      const extracted = extractIdentifiers(message, this.rules);
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
          touched.set(into.id, into);
        }
        touched.delete(merged);
        this.profiles.remove(merged);
        this.profiles.moveEvents(merged, survivor);
      }

      const profile = load(plan.profileId) ?? newProfile(plan.profileId, event.timestamp);
      profile.firstSeen = Math.min(profile.firstSeen, event.timestamp);
      profile.lastSeen = Math.max(profile.lastSeen, event.timestamp);
      profile.eventCount++;
      const traits = messageTraits(message);
      if (traits !== undefined) applyTraits(profile.traits, traits, event.timestamp);
      if (event.type === 'track' && event.event !== null) {
        recordActivity(profile.computed.activity, event.event, event.timestamp);
        const properties = message['properties'];
        updateComputed(
          profile.computed.aggregates,
          this.definitions,
          event.event,
          typeof properties === 'object' && properties !== null
            ? (properties as Record<string, unknown>)
            : {},
          event.timestamp,
        );
      }
      this.profiles.addEvent(profile.id, event.offset);
      touched.set(profile.id, profile);
    }
    for (const profile of touched.values()) this.profiles.save(profile);
  }
}

function newProfile(id: string, time: number): ProfileData {
  return {
    id,
    firstSeen: time,
    lastSeen: time,
    eventCount: 0,
    traits: emptyTraits(),
    computed: { activity: {}, aggregates: {} },
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
}
