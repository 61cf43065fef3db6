import {
  applyConsentChange,
  changedPurposes,
  combineConsentStates,
  emptyConsentState,
  normalizeIdentifier,
  resolvePurpose,
  type ConsentChange,
  type ConsentPolicy,
  type ConsentSignal,
  type ConsentState,
  type Identifier,
  type IdentityRules,
} from '@attune/engine';
import type { ConsentUpdate } from '@attune/contracts';
import type { Clock } from '../../platform/clock.js';
import type { IdentityStore } from '../identity/identity.store.js';
import type { ConsentStore } from './consent.store.js';

/** The identifier types consent is kept under (every message carries one of them). */
const keyedTypes = new Set(['user_id', 'anonymous_id']);
/** Pseudonyms remembered for the hot path; the cache starts over when full. */
const pseudonymCacheSize = 100_000;

export interface ConsentServiceDeps {
  store: ConsentStore;
  policy: ConsentPolicy;
  /** `keyring.pseudonym`: consent is stored under keyed pseudonyms, never plain ids. */
  pseudonym(type: string, normalizedValue: string): string;
  rules: IdentityRules;
  identity: Pick<IdentityStore, 'resolve' | 'identifiersOf' | 'ownerOf'>;
  clock: Clock;
  /** A failed background write of recorded changes (logged; the state in memory holds). */
  onFlushError(error: unknown): void;
}

export interface PersonIds {
  userId?: string | null;
  anonymousId?: string | null;
}

/** Bad input to `update`: becomes problem+json with the code and field. */
export class ConsentInputError extends Error {
  constructor(
    readonly code: 'unknown_purpose' | 'missing_identity' | 'invalid_timestamp',
    detail: string,
    readonly field: string,
  ) {
    super(detail);
  }
}

export class ConsentLookupError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_request',
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Consent: the choices people made, per purpose, with their history. The current state of
 * every pseudonym is kept in memory (folded from the history at start), so the ingest gate
 * and `allows` never read the database.
 */
export class ConsentService {
  private readonly states = new Map<string, ConsentState>();
  private readonly pseudonyms = new Map<string, string | null>();
  /** Recorded in memory, not yet stored: written together once the current task yields. */
  private unsaved: ConsentChange[] = [];
  private lastSeq = 0;

  constructor(private readonly deps: ConsentServiceDeps) {}

  get policy(): ConsentPolicy {
    return this.deps.policy;
  }

  /** Folds the stored history into the in-memory state; call once at start. */
  load(): void {
    this.states.clear();
    for (const change of this.deps.store.all()) this.fold(change);
    this.lastSeq = this.deps.store.lastSeq();
  }

  /**
   * Stores what was recorded. The gate records during a synchronous pass over a whole
   * batch; its changes are written in one transaction (one fsync) when the pass yields to
   * wait for the log append, so they are durable before the request is acknowledged.
   */
  flush(): void {
    if (this.unsaved.length === 0) return;
    const changes = this.unsaved;
    this.unsaved = [];
    this.deps.store.append(changes);
  }

  /**
   * Whether the profile allows a purpose: across all its identifiers (merged profiles
   * included) the latest explicit choice wins; else the regional default of the country of
   * its latest consent record; else the global default. The one check for every module
   * (decide, journeys, exports to ad platforms).
   */
  async allows(profileId: string, purpose: string): Promise<boolean> {
    return this.allowsProfile(profileId, purpose);
  }

  /** `allows`, synchronously: for callers deciding inside a transaction (journeys). */
  allowsProfile(profileId: string, purpose: string): boolean {
    return this.resolveFor(this.profilePseudonyms(profileId) ?? [], purpose, null).granted;
  }

  /** Records choices for every identifier of a profile (an unsubscribe link's withdrawal). */
  recordForProfile(
    profileId: string,
    purposes: Record<string, boolean>,
    source: ConsentSignal['source'],
  ): ConsentChange[] {
    const pseudonyms = this.profilePseudonyms(profileId);
    if (pseudonyms === null) return [];
    return this.record(pseudonyms, { source, purposes }, this.deps.clock.now(), null);
  }

  /** The same for callers that only have ids (before the processor built a profile). */
  allowsIdentifiers(ids: PersonIds, purpose: string, country: string | null = null): boolean {
    return this.resolveFor(this.pseudonymsOf(ids), purpose, country).granted;
  }

  /** Every purpose as it stands for these pseudonyms (explicit or default). */
  stateOf(pseudonyms: readonly string[], country: string | null = null) {
    const state = this.combined(pseudonyms);
    const purposes = Object.keys(this.deps.policy.purposes).map(
      (purpose) => [purpose, resolvePurpose(this.deps.policy, state, purpose, country)] as const,
    );
    return { purposes, country: country ?? state.country?.code ?? null };
  }

  /**
   * Records the choices of a signal for each pseudonym where they differ from its current
   * state; returns the changes written.
   */
  record(
    pseudonyms: readonly string[],
    signal: ConsentSignal,
    at: number,
    country: string | null,
  ): ConsentChange[] {
    const written: ConsentChange[] = [];
    for (const pseudonym of pseudonyms) {
      const changed = changedPurposes(this.states.get(pseudonym), signal.purposes);
      if (changed === null) continue;
      const seq = ++this.lastSeq;
      written.push({ seq, pseudonym, purposes: changed, source: signal.source, at, country });
    }
    if (written.length === 0) return written;
    for (const change of written) this.fold(change);
    if (this.unsaved.length === 0) queueMicrotask(() => this.flushLogged());
    this.unsaved.push(...written);
    return written;
  }

  /**
   * Choices sent through the API (or an import of consent records). Unknown purposes are
   * refused here, unlike on ingest, because an operator made this call on purpose.
   */
  update(request: ConsentUpdate): ConsentChange[] {
    for (const purpose of Object.keys(request.purposes)) {
      if (!Object.hasOwn(this.deps.policy.purposes, purpose))
        throw new ConsentInputError(
          'unknown_purpose',
          `${purpose} is not a configured purpose (${Object.keys(this.deps.policy.purposes).join(', ')})`,
          `/purposes/${purpose}`,
        );
    }
    const pseudonyms = this.pseudonymsOf(request);
    if (pseudonyms.length === 0)
      throw new ConsentInputError(
        'missing_identity',
        'Send a usable userId or anonymousId (placeholder values like "anonymous" are refused)',
        request.userId === undefined ? '/anonymousId' : '/userId',
      );
    const at =
      request.timestamp === undefined ? this.deps.clock.now() : Date.parse(request.timestamp);
    if (!Number.isFinite(at))
      throw new ConsentInputError(
        'invalid_timestamp',
        `timestamp ${request.timestamp} is not an ISO-8601 date-time`,
        '/timestamp',
      );
    const signal: ConsentSignal = { source: request.source ?? 'api', purposes: request.purposes };
    const written = this.record(pseudonyms, signal, at, request.country?.toUpperCase() ?? null);
    this.flush();
    return written;
  }

  /** The explicit state of a message's ids combined, or undefined when none has any. */
  explicitStateOf(pseudonyms: readonly string[]): ConsentState | undefined {
    if (this.states.size === 0) return undefined;
    let found: ConsentState[] | undefined;
    for (const pseudonym of pseudonyms) {
      const state = this.states.get(pseudonym);
      if (state !== undefined) (found ??= []).push(state);
    }
    if (found === undefined) return undefined;
    return found.length === 1 ? found[0] : combineConsentStates(found);
  }

  /**
   * A person's explicit choice per purpose, as a condition's `consent` leaf reads it: true
   * granted, false denied, null never chosen (the policy's default is not applied).
   */
  explicitChoicesOf(ids: PersonIds): (purpose: string) => boolean | null {
    const state = this.isEmpty ? undefined : this.explicitStateOf(this.pseudonymsOf(ids));
    return (purpose) => state?.purposes.get(purpose)?.granted ?? null;
  }

  /** True when nothing at all was ever recorded: the gate may skip pseudonymizing ids. */
  get isEmpty(): boolean {
    return this.states.size === 0;
  }

  /** The pseudonyms of a message's or caller's userId and anonymousId (junk ids have none). */
  pseudonymsOf(ids: PersonIds): string[] {
    const found: string[] = [];
    for (const [type, raw] of [
      ['user_id', ids.userId],
      ['anonymous_id', ids.anonymousId],
    ] as const) {
      if (raw === undefined || raw === null) continue;
      const pseudonym = this.pseudonymOfRaw(type, raw);
      if (pseudonym !== null) found.push(pseudonym);
    }
    return found;
  }

  /**
   * The pseudonyms of a profile's user and anonymous ids, merged profiles included; null
   * when there is no such profile.
   */
  profilePseudonyms(profileId: string): string[] | null {
    const survivor = this.deps.identity.resolve(profileId);
    if (survivor === undefined) return null;
    return this.identifierPseudonyms(this.deps.identity.identifiersOf(survivor));
  }

  /**
   * The pseudonyms behind a profile reference: a profile id, or `type:value`. An id that
   * no profile holds yet still has its own consent (the processor may lag behind).
   */
  pseudonymsOfRef(ref: string): string[] {
    const colon = ref.indexOf(':');
    if (colon < 0) {
      const found = this.profilePseudonyms(ref);
      if (found === null) throw new ConsentLookupError('not_found', `No profile ${ref}`);
      return found;
    }
    const type = ref.slice(0, colon).trim().toLowerCase();
    const normalized = normalizeIdentifier(type, ref.slice(colon + 1), this.deps.rules);
    if (!normalized.ok)
      throw new ConsentLookupError(
        'invalid_request',
        `${ref} is not a usable identifier (${normalized.reason})`,
      );
    const owner = this.deps.identity.ownerOf(normalized.identifier);
    if (owner !== undefined) return this.profilePseudonyms(owner) ?? [];
    if (keyedTypes.has(type)) return this.identifierPseudonyms([normalized.identifier]);
    throw new ConsentLookupError('not_found', `No profile ${ref}`);
  }

  /** The consent history of a profile (for its data export), oldest first. */
  historyOf(profileId: string): ConsentChange[] {
    const pseudonyms = this.profilePseudonyms(profileId);
    return pseudonyms === null ? [] : this.historyOfPseudonyms(pseudonyms);
  }

  /**
   * History of these pseudonyms, oldest first; one choice recorded under both a userId and
   * an anonymousId shows once.
   */
  historyOfPseudonyms(pseudonyms: readonly string[]): ConsentChange[] {
    const seen = new Set<string>();
    return this.deps.store.historyOf(pseudonyms).filter((change) => {
      const key = `${change.at}|${change.source}|${change.country}|${JSON.stringify(change.purposes)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /**
   * Erasure: deletes the consent history of these pseudonyms and forgets their state.
   * Later events from the same ids start from the defaults again.
   */
  forgetIdentifiers(pseudonyms: readonly string[]): number {
    this.flush();
    const deleted = this.deps.store.forget(pseudonyms);
    for (const pseudonym of pseudonyms) this.states.delete(pseudonym);
    return deleted;
  }

  private flushLogged(): void {
    try {
      this.flush();
    } catch (error) {
      // The choices stay in force in memory; they are lost only if the process stops now.
      this.deps.onFlushError(error);
    }
  }

  /** A change to apply to the in-memory state. */
  private fold(change: ConsentChange): void {
    let state = this.states.get(change.pseudonym);
    if (state === undefined) this.states.set(change.pseudonym, (state = emptyConsentState()));
    applyConsentChange(state, change);
  }

  private combined(pseudonyms: readonly string[]): ConsentState {
    return this.explicitStateOf(pseudonyms) ?? emptyConsentState();
  }

  private resolveFor(pseudonyms: readonly string[], purpose: string, country: string | null) {
    return resolvePurpose(this.deps.policy, this.explicitStateOf(pseudonyms), purpose, country);
  }

  /**
   * The pseudonyms consent is kept under for these identifiers (only user and anonymous
   * ids count; values as the identity store returns them, normalized). For erasure:
   * `forgetIdentifiers(pseudonymsOfIdentifiers(identifiersOf(profile)))`.
   */
  pseudonymsOfIdentifiers(identifiers: readonly Identifier[]): string[] {
    return this.identifierPseudonyms(identifiers);
  }

  private identifierPseudonyms(identifiers: readonly Identifier[]): string[] {
    return identifiers
      .filter((id) => keyedTypes.has(id.type))
      .map((id) => this.pseudonymOf(id.type, id.value));
  }

  /** Cached by the raw value: the hot path then skips normalizing as well as hashing. */
  private pseudonymOfRaw(type: string, raw: string): string | null {
    const key = `raw\u0000${type}\u0000${raw}`;
    const cached = this.pseudonyms.get(key);
    if (cached !== undefined) return cached;
    const normalized = normalizeIdentifier(type, raw, this.deps.rules);
    const pseudonym = normalized.ok ? this.pseudonymOf(type, normalized.identifier.value) : null;
    this.remember(key, pseudonym);
    return pseudonym;
  }

  /** HMACs cost microseconds; the same ids come back event after event. */
  private pseudonymOf(type: string, value: string): string {
    const key = `${type}\u0000${value}`;
    let pseudonym = this.pseudonyms.get(key);
    if (pseudonym === undefined || pseudonym === null) {
      pseudonym = this.deps.pseudonym(type, value);
      this.remember(key, pseudonym);
    }
    return pseudonym;
  }

  private remember(key: string, pseudonym: string | null): void {
    if (this.pseudonyms.size >= pseudonymCacheSize) this.pseudonyms.clear();
    this.pseudonyms.set(key, pseudonym);
  }
}
