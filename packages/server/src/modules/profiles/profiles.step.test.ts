import {
  defaultIdentityRules,
  MemoryIdentityGraph,
  extractIdentifiers,
  resolveIdentity,
  rfmDefinitions,
} from '@attune/engine';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIdentityStore } from '../../adapters/sqlite/identity-store.sqlite.js';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteProfileStore } from '../../adapters/sqlite/profile-store.sqlite.js';
import type { ProcessorEvent } from '../processor/processor-step.js';
import { ProfilesStep } from './profiles.step.js';
import { decryptedRows, testCipher } from '../../testing/test-cipher.js';

let dir: string;
let db: SqliteDatabase;
let identity: SqliteIdentityStore;
let profiles: SqliteProfileStore;

function open(name: string, cachedProfiles = 0): void {
  db = openDatabase(join(dir, name), { schema: 'state' });
  identity = new SqliteIdentityStore(db, testCipher(), cachedProfiles);
  profiles = new SqliteProfileStore(db, testCipher(), cachedProfiles);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-profiles-'));
  open('state.db');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

type Message = Record<string, unknown> & { t?: number };

function events(messages: Message[]): ProcessorEvent[] {
  return messages.map(({ t, ...message }, i) => ({
    offset: i + 1,
    sourceId: 'web',
    messageId: `m${i + 1}`,
    type: message['type'] as ProcessorEvent['type'],
    event: (message['event'] as string | undefined) ?? null,
    userId: null,
    anonymousId: null,
    timestamp: t ?? 1000 + i,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 5000 + i,
    message: JSON.stringify(message),
  }));
}

/** Applies the messages in batches of `batchSize`, `batchesPerCommit` batches per transaction. */
function process(messages: Message[], batchSize = 1000, batchesPerCommit = 1): void {
  const step = new ProfilesStep(identity, profiles, defaultIdentityRules, rfmDefinitions);
  const all = events(messages);
  const perCommit = batchSize * batchesPerCommit;
  for (let i = 0; i < all.length; i += perCommit) {
    db.transaction(() => {
      for (let j = i; j < Math.min(i + perCommit, all.length); j += batchSize)
        step.apply(all.slice(j, Math.min(j + batchSize, i + perCommit)));
      step.flush();
    })();
  }
}

const profileOf = (type: string, value: string) => {
  const owner = identity.ownerOf({ type, value });
  return owner === undefined ? undefined : profiles.load(owner);
};

describe('ProfilesStep', () => {
  it('builds one profile from anonymous browsing and a later identify', () => {
    process([
      { type: 'page', anonymousId: 'a1', name: 'Home' },
      {
        type: 'identify',
        anonymousId: 'a1',
        userId: 'u1',
        traits: { email: 'Ann@Example.com', plan: 'pro' },
      },
      {
        type: 'track',
        userId: 'u1',
        event: 'Order Completed',
        context: { traits: { city: 'Berlin' } },
      },
    ]);
    const profile = profileOf('email', 'ann@example.com');
    expect(profile).toMatchObject({ id: 'p_1', eventCount: 3, firstSeen: 1000, lastSeen: 1002 });
    expect(profile?.traits.values).toEqual({
      email: 'Ann@Example.com',
      plan: 'pro',
      city: 'Berlin',
    });
    expect(identity.identifiersOf('p_1')).toEqual([
      { type: 'anonymous_id', value: 'a1' },
      { type: 'email', value: 'ann@example.com' },
      { type: 'user_id', value: 'u1' },
    ]);
    expect(profiles.eventOffsets('p_1', Number.MAX_SAFE_INTEGER, 10)).toEqual([3, 2, 1]);
  });

  it('does not let an older identify arriving late overwrite newer traits', () => {
    process([
      { type: 'identify', userId: 'u1', traits: { plan: 'enterprise' }, t: 2000 },
      { type: 'identify', userId: 'u1', traits: { plan: 'free', name: 'Ann' }, t: 1000 },
    ]);
    expect(profileOf('user_id', 'u1')?.traits.values).toEqual({ plan: 'enterprise', name: 'Ann' });
  });

  it('merges two devices at login: traits by time, history unioned, the merge recorded', () => {
    process([
      { type: 'identify', anonymousId: 'phone', traits: { city: 'Paris' }, t: 100 },
      { type: 'identify', anonymousId: 'laptop', traits: { city: 'Lyon' }, t: 200 },
      { type: 'identify', anonymousId: 'laptop', userId: 'u1', t: 300 },
      { type: 'track', anonymousId: 'phone', userId: 'u1', event: 'Logged In', t: 400 },
    ]);
    expect(identity.resolve('p_2')).toBe('p_1');
    const profile = profiles.load('p_1');
    expect(profile).toMatchObject({ eventCount: 4, firstSeen: 100, lastSeen: 400 });
    expect(profile?.traits.values).toEqual({ city: 'Lyon' });
    expect(profiles.load('p_2')).toBeUndefined();
    expect(profiles.eventOffsets('p_1', Number.MAX_SAFE_INTEGER, 10)).toEqual([4, 3, 2, 1]);
    const merges = identity.mergesInto('p_1');
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({
      survivorId: 'p_1',
      mergedId: 'p_2',
      eventOffset: 4,
      eventMessageId: 'm4',
      eventTime: 400,
    });
    expect(merges[0]?.identifiers).toEqual([
      { type: 'anonymous_id', value: 'laptop' },
      { type: 'user_id', value: 'u1' },
    ]);
  });

  it('links a CRM import and a web profile through a shared email', () => {
    process([
      { type: 'identify', anonymousId: 'web-9', traits: { email: 'bob@example.com', name: 'Bob' } },
      {
        type: 'identify',
        userId: 'crm-1',
        traits: { email: 'BOB@EXAMPLE.COM', phone: '+44 20 7946 0958' },
      },
    ]);
    const profile = profileOf('phone', '+442079460958');
    expect(profile?.id).toBe('p_1');
    expect(profile?.eventCount).toBe(2);
  });

  it('keeps thousands of events with a junk id apart', () => {
    process(
      Array.from({ length: 3000 }, (_, i) => ({
        type: 'identify',
        userId: `u${i}`,
        anonymousId: 'anonymous',
        traits: { email: 'test' },
      })),
    );
    expect(db.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(3000);
    expect(db.prepare('SELECT count(*) FROM identity_merges').pluck().get()).toBe(0);
  });

  it('records a conflict instead of giving a device two users', () => {
    process([
      { type: 'identify', anonymousId: 'kiosk', userId: 'ann' },
      { type: 'identify', anonymousId: 'kiosk', userId: 'bob' },
    ]);
    expect(identity.conflicts(0, 10)).toEqual([
      expect.objectContaining({
        profileId: 'p_1',
        otherProfileId: 'p_2',
        identifier: { type: 'user_id', value: 'bob' },
        reason: 'limit:user_id',
        eventOffset: 2,
      }),
    ]);
    expect(profileOf('user_id', 'bob')?.id).toBe('p_2');
  });

  it('counts refused identifiers per hour of arrival, type and reason', () => {
    process([
      { type: 'identify', userId: 'u1', traits: { email: 'not-an-email', phone: '12' } },
      { type: 'identify', userId: 'null', anonymousId: 'a1', traits: { email: 'nope' } },
      { type: 'track', event: 'E', anonymousId: '00000000' },
    ]);
    const rows = db
      .prepare('SELECT hour, type, reason, count FROM identifier_issues ORDER BY type, reason')
      .all();
    // receivedAt of the test events is 5000 + i ms: all in the hour starting at 0.
    expect(rows).toEqual([
      { hour: 0, type: 'anonymous_id', reason: 'blocked', count: 1 },
      { hour: 0, type: 'email', reason: 'invalid_email', count: 2 },
      { hour: 0, type: 'phone', reason: 'invalid_phone', count: 1 },
      { hour: 0, type: 'user_id', reason: 'blocked', count: 1 },
    ]);
    // The refused email is still a trait.
    expect(profileOf('user_id', 'u1')?.traits.values).toEqual({
      email: 'not-an-email',
      phone: '12',
    });
  });

  it('pages a long timeline across chunks, also after two timelines merge', () => {
    const messages: Message[] = [];
    for (let i = 0; i < 150; i++) {
      messages.push({ type: 'track', event: 'E', anonymousId: i % 3 === 0 ? 'a1' : 'a2' });
    }
    messages.push({ type: 'alias', previousId: 'a2', userId: 'u1', anonymousId: 'a1' });
    process(messages, 40);
    const owner = identity.ownerOf({ type: 'anonymous_id', value: 'a2' }) as string;
    expect(identity.ownerOf({ type: 'anonymous_id', value: 'a1' })).toBe(owner);
    const pages: number[] = [];
    for (let before = Number.MAX_SAFE_INTEGER; ;) {
      const page = profiles.eventOffsets(owner, before, 7);
      if (page.length === 0) break;
      pages.push(...page);
      before = page[page.length - 1] as number;
    }
    expect(pages).toEqual(Array.from({ length: 151 }, (_, i) => 151 - i));
    expect(profiles.eventOffsets(owner, 100, 3)).toEqual([99, 98, 97]);
  });

  it('forgets what it cached when a batch rolls back, and redoes it exactly', () => {
    const messages: Message[] = [
      { type: 'page', anonymousId: 'a1' },
      { type: 'identify', anonymousId: 'a1', userId: 'u1', traits: { email: 'ann@x.io' } },
      { type: 'page', anonymousId: 'a2' },
      { type: 'identify', anonymousId: 'a2', userId: 'u1', traits: { plan: 'pro' } },
      { type: 'track', event: 'Order Completed', userId: 'u1', properties: { revenue: 5 } },
    ];
    process(messages);
    const expected = dump();
    db.close();

    open('cached.db', 100);
    const step = new ProfilesStep(identity, profiles, defaultIdentityRules, rfmDefinitions);
    const all = events(messages);
    db.transaction(() => {
      step.apply(all.slice(0, 2));
      step.flush();
    })();
    const failing = db.transaction(() => {
      step.apply(all.slice(2, 4));
      step.apply(all.slice(4));
      step.flush();
      throw new Error('a later step failed');
    });
    expect(failing).toThrow('a later step failed');
    step.discard();
    db.transaction(() => {
      step.apply(all.slice(2));
      step.flush();
    })();
    expect(dump()).toEqual(expected);
  });

  it('agrees with the in-memory graph; batch boundaries and caches do not change the result (property)', () => {
    const message = fc.record({
      type: fc.constantFrom('identify', 'track', 'page', 'alias'),
      user: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      anon: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
      email: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      plan: fc.constantFrom('free', 'pro', undefined),
      t: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        (raw, batchSize, cacheSize, batchesPerCommit) => {
          const messages: Message[] = raw.map((m) => ({
            type: m.type,
            event: 'E',
            t: m.t,
            ...(m.user === undefined ? {} : { userId: `u${m.user}` }),
            ...(m.anon === undefined ? {} : { anonymousId: `a${m.anon}` }),
            ...(m.type === 'alias'
              ? { previousId: `a${(m.anon ?? 0) + 1}`, userId: `u${m.user ?? 1}` }
              : {}),
            traits: {
              ...(m.email === undefined ? {} : { email: `e${m.email}@x.io` }),
              ...(m.plan === undefined ? {} : { plan: m.plan }),
            },
          }));
          db.close();
          open(`a-${Math.random()}.db`);
          process(messages);
          const whole = dump();
          db.close();
          // Tiny caches, so entries are evicted and reloaded all the time.
          open(`b-${Math.random()}.db`, cacheSize);
          process(messages, batchSize, batchesPerCommit);
          expect(dump()).toEqual(whole);

          const graph = new MemoryIdentityGraph();
          events(messages).forEach((e) => {
            const extracted = extractIdentifiers(
              JSON.parse(e.message!) as Record<string, unknown>,
              defaultIdentityRules,
            );
            if (extracted.identifiers.length === 0 && extracted.previousId === null) return;
            graph.apply(
              resolveIdentity(extracted, graph, defaultIdentityRules, `p_${e.offset}`),
              e.timestamp,
            );
          });
          expect(partitionOf(db)).toEqual(graph.partition());
        },
      ),
      { numRuns: 60 },
    );
  });
});

function dump(): unknown {
  const all = (sql: string) => decryptedRows(db.prepare(sql).all(), testCipher());
  return {
    profiles: all('SELECT * FROM profiles ORDER BY id'),
    identityProfiles: all('SELECT * FROM identity_profiles ORDER BY id'),
    identities: all('SELECT * FROM identities ORDER BY type, value'),
    merges: all(
      'SELECT survivor_id, merged_id, event_offset, identifiers FROM identity_merges ORDER BY seq',
    ),
    conflicts: all(
      'SELECT profile_id, other_profile_id, identifier_type, identifier_value, reason, event_offset FROM identity_conflicts ORDER BY seq',
    ),
    timeline: all('SELECT * FROM profile_timeline ORDER BY profile_id, last_offset'),
  };
}

function partitionOf(database: SqliteDatabase): string[][] {
  // `value` is the lookup pseudonym; `display` the value, encrypted.
  const rows = decryptedRows(
    database.prepare('SELECT profile_id, type, display AS value FROM identities').all(),
    testCipher(),
  ) as { profile_id: string; type: string; value: string }[];
  const groups = new Map<string, string[]>();
  for (const r of rows)
    groups.set(r.profile_id, [
      ...(groups.get(r.profile_id) ?? []),
      `${r.type}:${JSON.parse(r.value.slice('decrypted:'.length)) as string}`,
    ]);
  return [...groups.values()]
    .map((g) => g.sort())
    .sort((a, b) => (a.join('|') < b.join('|') ? -1 : 1));
}
