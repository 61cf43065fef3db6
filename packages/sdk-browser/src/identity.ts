import type { Env } from './env.js';

/** analytics.js's own keys, so a site switching from it keeps its visitors' ids. */
export const identityKeys = {
  anonymousId: 'ajs_anonymous_id',
  userId: 'ajs_user_id',
  traits: 'ajs_user_traits',
  groupId: 'ajs_group_id',
  groupTraits: 'ajs_group_properties',
} as const;

export type Traits = Record<string, unknown>;

/** analytics.js wrote some values JSON-encoded (`"id"`); accept both forms. */
function unquote(value: string | null): string | null {
  if (value === null || value === '' || value === 'null') return null;
  if (value.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'string' && parsed !== '' ? parsed : null;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Who the visitor is, kept in both a first-party cookie and localStorage: either one alone
 * is enough to recognise the visitor (the cookie survives storage clearing, localStorage
 * survives cookie expiry and cookie-limiting browsers), and each read repairs the other.
 * Values are read at each call, so another tab's identify is seen at once.
 */
export class Identity {
  constructor(private readonly env: Env) {}

  private read(key: string): string | null {
    const { cookies, storage } = this.env;
    const fromCookie = unquote(cookies.get(key));
    const fromStorage = unquote(storage.get(key));
    const value = fromCookie ?? fromStorage;
    if (value !== null && (fromCookie !== value || fromStorage !== value)) this.write(key, value);
    return value;
  }

  private write(key: string, value: string | null): void {
    for (const store of [this.env.cookies, this.env.storage]) {
      if (value === null) store.remove(key);
      else store.set(key, value);
    }
  }

  /** Writes the ids again, so their cookies take a domain set after they were written. */
  rewriteCookies(): void {
    for (const key of [identityKeys.anonymousId, identityKeys.userId, identityKeys.groupId]) {
      const value = this.read(key);
      if (value !== null) this.env.cookies.set(key, value);
    }
  }

  anonymousId(): string {
    let id = this.read(identityKeys.anonymousId);
    if (id === null) this.write(identityKeys.anonymousId, (id = this.env.uuid()));
    return id;
  }

  setAnonymousId(id: string): void {
    this.write(identityKeys.anonymousId, id);
  }

  userId(): string | null {
    return this.read(identityKeys.userId);
  }

  traits(): Traits {
    return this.storedTraits(identityKeys.traits);
  }

  groupId(): string | null {
    return this.read(identityKeys.groupId);
  }

  groupTraits(): Traits {
    return this.storedTraits(identityKeys.groupTraits);
  }

  /** As identify, for the group: another group starts from empty traits; traits merge. */
  group(groupId: string, traits: Traits): Traits {
    return this.join(identityKeys.groupId, identityKeys.groupTraits, groupId, traits);
  }

  private storedTraits(key: string): Traits {
    try {
      const parsed: unknown = JSON.parse(this.env.storage.get(key) ?? '{}');
      return parsed !== null && typeof parsed === 'object' ? (parsed as Traits) : {};
    } catch {
      return {};
    }
  }

  /** As analytics.js: a different userId starts from empty traits; new traits merge in. */
  identify(userId: string | null, traits: Traits): Traits {
    return this.join(identityKeys.userId, identityKeys.traits, userId, traits);
  }

  /** Keeps `id` (null: the current one) and its traits merged in; another id starts afresh. */
  private join(idKey: string, traitsKey: string, id: string | null, traits: Traits): Traits {
    const previous = this.read(idKey);
    const base =
      id !== null && previous !== null && id !== previous ? {} : this.storedTraits(traitsKey);
    if (id !== null) this.write(idKey, id);
    const merged = { ...base, ...traits };
    this.env.storage.set(traitsKey, JSON.stringify(merged));
    return merged;
  }

  /** Forget the user, their group and their traits, and start a new anonymous id. */
  reset(): void {
    this.write(identityKeys.userId, null);
    this.write(identityKeys.groupId, null);
    this.env.storage.remove(identityKeys.traits);
    this.env.storage.remove(identityKeys.groupTraits);
    this.write(identityKeys.anonymousId, this.env.uuid());
  }
}
