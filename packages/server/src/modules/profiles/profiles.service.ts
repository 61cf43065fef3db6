import type { MergeView, ProfileView, StoredEvent } from '@attune/contracts';
import {
  formatIsoTimestamp,
  normalizeIdentifier,
  type ComputedTraitDefinition,
  type IdentityRules,
  type RfmBreakpoints,
} from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { EventLog } from '../event-log/event-log.store.js';
import { toStoredEvent } from '../event-log/stored-event.js';
import type { IdentityStore } from '../identity/identity.store.js';
import { computedView } from './computed-view.js';
import type { ProfileData, ProfileStore } from './profile.store.js';
import type { IdentifiedLookup, VisitorCache, VisitorIdType } from './visitor-cache.js';

export class ProfileLookupError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_request',
    detail: string,
  ) {
    super(detail);
  }
}

/** Reads profiles for the API; the processor thread is the only writer. */
export class ProfilesService {
  constructor(
    private readonly identity: IdentityStore,
    private readonly profiles: ProfileStore,
    private readonly log: Pick<EventLog, 'readOffsets'>,
    private readonly rules: IdentityRules,
    private readonly definitions: readonly ComputedTraitDefinition[],
    private readonly clock: Clock,
    /** The latest RFM breakpoints, which `computed.rfm.score` is scored against. */
    private readonly rfmBreakpoints: () => RfmBreakpoints | null,
  ) {}

  /** A profile by id (a merged id gives its survivor) or by `type:value`. */
  get(ref: string): ProfileView {
    return this.view(this.find(ref));
  }

  /** The surviving profile id of a reference, as `get` resolves it. */
  idOf(ref: string): string {
    return this.find(ref).id;
  }

  async events(
    ref: string,
    before: number,
    limit: number,
  ): Promise<{ events: StoredEvent[]; next: number | null }> {
    const profile = this.find(ref);
    const offsets = this.profiles.eventOffsets(profile.id, before, limit);
    const events = (await this.log.readOffsets(offsets)).reverse().map(toStoredEvent);
    return {
      events,
      next: offsets.length === limit ? (offsets[offsets.length - 1] ?? null) : null,
    };
  }

  search(
    traits: Record<string, string>,
    cursor: string,
    limit: number,
  ): { profiles: ProfileView[]; cursor: string | null } {
    const [first, ...rest] = Object.entries(traits);
    if (first === undefined)
      throw new ProfileLookupError(
        'invalid_request',
        'Give at least one trait.<name>=<value> filter',
      );
    // The store filters on the first trait; further ones are checked here.
    const page = this.profiles.findByTrait(first[0], first[1], cursor, limit);
    const matching = page.filter((p) => rest.every(([k, v]) => textOf(p.traits.values[k]) === v));
    const last = page[page.length - 1];
    const breakpoints = this.rfmBreakpoints();
    return {
      profiles: matching.map((p) => this.view(p, breakpoints)),
      cursor: page.length === limit && last !== undefined ? last.id : null,
    };
  }

  merges(ref: string): MergeView[] {
    const profile = this.find(ref);
    return this.identity.mergesInto(profile.id).map((m) => ({
      survivorId: m.survivorId,
      mergedId: m.mergedId,
      at: formatIsoTimestamp(m.eventTime),
      eventOffset: m.eventOffset,
      eventMessageId: m.eventMessageId,
      identifiers: m.identifiers,
      reason: `event ${m.eventMessageId} carried identifiers of both profiles`,
    }));
  }

  /**
   * The profile a visitor's ids belong to (the userId's first, as the processor resolves a
   * message), or undefined: never throws, for callers that answer unknown visitors too.
   * `cache` keeps the profiles of recent visitors (see VisitorCache).
   */
  findVisitor(
    ids: { userId?: string | undefined; anonymousId?: string | undefined },
    cache?: VisitorCache,
  ): ProfileData | undefined {
    const candidates: [VisitorIdType, string | undefined][] = [
      ['user_id', ids.userId],
      ['anonymous_id', ids.anonymousId],
    ];
    for (const [type, value] of candidates) {
      if (value === undefined) continue;
      const profile =
        cache === undefined
          ? this.findIdentified(type, value)
          : cache.find(type, value, this.findIdentified);
      if (profile !== undefined) return profile;
    }
    return undefined;
  }

  /** The surviving profile id of a visitor's ids (the userId's first), without loading it. */
  profileIdOf(ids: { userId?: string | null; anonymousId?: string | null }): string | undefined {
    const candidates: [VisitorIdType, string | null | undefined][] = [
      ['user_id', ids.userId],
      ['anonymous_id', ids.anonymousId],
    ];
    for (const [type, value] of candidates) {
      const id =
        value === undefined || value === null ? undefined : this.idOfIdentified(type, value);
      if (id !== undefined) return id;
    }
    return undefined;
  }

  /** The identifiers of a profile (values in clear), as `get` lists them. */
  identifiersOf(profileId: string): { type: string; value: string }[] {
    return this.identity.identifiersOf(profileId);
  }

  /** A profile by id (a merged id gives its survivor), or undefined. */
  load(profileId: string): ProfileData | undefined {
    const id = this.identity.resolve(profileId);
    return id === undefined ? undefined : this.profiles.load(id);
  }

  /** The profile one visitor id belongs to, if it is usable and known. */
  private readonly findIdentified: IdentifiedLookup = (type, value) => {
    const id = this.idOfIdentified(type, value);
    return id === undefined ? undefined : this.profiles.load(id);
  };

  /** The surviving profile id one visitor id belongs to, if it is usable and known. */
  private idOfIdentified(type: VisitorIdType, value: string): string | undefined {
    const normalized = normalizeIdentifier(type, value, this.rules);
    if (!normalized.ok) return undefined;
    const owner = this.identity.ownerOf(normalized.identifier);
    return owner === undefined ? undefined : this.identity.resolve(owner);
  }

  private find(ref: string): ProfileData {
    const id = this.resolveRef(ref);
    const profile = id === undefined ? undefined : this.profiles.load(id);
    if (profile === undefined) throw new ProfileLookupError('not_found', `No profile ${ref}`);
    return profile;
  }

  private resolveRef(ref: string): string | undefined {
    const colon = ref.indexOf(':');
    if (colon < 0) return this.identity.resolve(ref);
    const type = ref.slice(0, colon).trim().toLowerCase();
    const normalized = normalizeIdentifier(type, ref.slice(colon + 1), this.rules);
    if (!normalized.ok)
      throw new ProfileLookupError(
        'invalid_request',
        `${ref} is not a usable identifier (${normalized.reason})`,
      );
    return this.identity.ownerOf(normalized.identifier);
  }

  /**
   * Event counts and last seen per event name, RFM (scored against the latest breakpoints),
   * and the user's definitions, at now.
   */
  private view(profile: ProfileData, breakpoints = this.rfmBreakpoints()): ProfileView {
    return {
      id: profile.id,
      identifiers: this.identity.identifiersOf(profile.id),
      traits: profile.traits.values,
      computed: computedView(profile, this.definitions, this.clock.now(), breakpoints),
      firstSeen: formatIsoTimestamp(profile.firstSeen),
      lastSeen: formatIsoTimestamp(profile.lastSeen),
      eventCount: profile.eventCount,
      mergedFrom: this.identity.mergesInto(profile.id).map((m) => m.mergedId),
    };
  }
}

function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
