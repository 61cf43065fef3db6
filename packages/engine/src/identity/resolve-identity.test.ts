import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractIdentifiers } from './extract-identifiers.js';
import { defaultIdentityRules as rules } from './identity-rules.js';
import { MemoryIdentityGraph } from './memory-identity-graph.js';
import { resolveIdentity } from './resolve-identity.js';

type Message = Record<string, unknown>;

/** Feeds messages through the resolver into a graph; returns each event's profile. */
function run(
  messages: Message[],
  graph = new MemoryIdentityGraph(),
): { graph: MemoryIdentityGraph; profiles: string[]; conflicts: string[] } {
  const profiles: string[] = [];
  const conflicts: string[] = [];
  messages.forEach((message, i) => {
    const plan = resolveIdentity(extractIdentifiers(message, rules), graph, rules, `p${i + 1}`);
    graph.apply(plan, Number(message['t'] ?? i));
    profiles.push(plan.profileId);
    conflicts.push(...plan.conflicts.map((c) => c.reason));
  });
  return { graph, profiles, conflicts };
}

describe('resolveIdentity', () => {
  it('links anonymous browsing to the user on identify', () => {
    const { graph, profiles } = run([
      { type: 'page', anonymousId: 'a1' },
      { type: 'identify', anonymousId: 'a1', userId: 'u1', traits: { email: ' Ann@Example.com ' } },
      { type: 'track', userId: 'u1', event: 'Order Completed' },
    ]);
    expect(profiles).toEqual(['p1', 'p1', 'p1']);
    expect(graph.partition()).toEqual([['anonymous_id:a1', 'email:ann@example.com', 'user_id:u1']]);
  });

  it('merges two devices when the same user logs in on both; the older profile survives', () => {
    const { graph, profiles } = run([
      { type: 'page', anonymousId: 'phone', t: 10 },
      { type: 'page', anonymousId: 'laptop', t: 20 },
      { type: 'identify', anonymousId: 'laptop', userId: 'u1', t: 30 },
      { type: 'identify', anonymousId: 'phone', userId: 'u1', t: 40 },
    ]);
    expect(profiles).toEqual(['p1', 'p2', 'p2', 'p1']);
    expect(graph.resolve('p2')).toBe('p1');
    expect(graph.partition()).toEqual([
      ['anonymous_id:laptop', 'anonymous_id:phone', 'user_id:u1'],
    ]);
  });

  it('merges a CRM record with a web profile through a shared email', () => {
    const { graph } = run([
      { type: 'identify', anonymousId: 'web-1', traits: { email: 'bob@example.com' } },
      {
        type: 'identify',
        userId: 'crm-77',
        traits: { email: 'BOB@example.com', phone: '+1 415 555 2671' },
      },
    ]);
    expect(graph.partition()).toEqual([
      ['anonymous_id:web-1', 'email:bob@example.com', 'phone:+14155552671', 'user_id:crm-77'],
    ]);
  });

  it('follows alias chains', () => {
    const { graph } = run([
      { type: 'track', anonymousId: 'a1', event: 'X' },
      { type: 'alias', previousId: 'a1', userId: 'old-id' },
      { type: 'track', userId: 'other', event: 'Y' },
      { type: 'alias', previousId: 'other', anonymousId: 'a2' },
    ]);
    expect(graph.partition()).toEqual([
      ['anonymous_id:a1', 'user_id:old-id'],
      ['anonymous_id:a2', 'user_id:other'],
    ]);
  });

  it('never merges through a junk id, however many events share it', () => {
    const messages = Array.from({ length: 2000 }, (_, i) => ({
      type: 'identify',
      userId: `u${i}`,
      anonymousId: i % 2 === 0 ? 'undefined' : '00000000',
      traits: { email: 'null' },
    }));
    const { graph } = run(messages);
    expect(graph.partition()).toHaveLength(2000);
  });

  it('does not give one device two users: the second user gets a profile and a conflict is recorded', () => {
    const { graph, profiles, conflicts } = run([
      { type: 'identify', anonymousId: 'shared-tablet', userId: 'ann' },
      { type: 'identify', anonymousId: 'shared-tablet', userId: 'bob' },
      { type: 'track', userId: 'bob', event: 'X' },
    ]);
    expect(profiles).toEqual(['p1', 'p2', 'p2']);
    expect(conflicts).toEqual(['limit:user_id']);
    expect(graph.partition()).toEqual([
      ['anonymous_id:shared-tablet', 'user_id:ann'],
      ['user_id:bob'],
    ]);
  });

  it('does not merge two users through a shared email, and says why', () => {
    const { conflicts, graph } = run([
      { type: 'identify', userId: 'ann', traits: { email: 'family@example.com' } },
      { type: 'identify', userId: 'bob' },
      { type: 'identify', userId: 'bob', traits: { email: 'family@example.com' } },
    ]);
    expect(conflicts).toEqual(['limit:user_id']);
    expect(graph.partition()).toEqual([
      ['email:family@example.com', 'user_id:ann'],
      ['user_id:bob'],
    ]);
  });

  it('keeps invalid emails and phones out of identity, reporting them', () => {
    const extracted = extractIdentifiers(
      { type: 'identify', userId: 'u', traits: { email: 'not-an-email', phone: '12' } },
      rules,
    );
    expect(extracted.identifiers).toEqual([{ type: 'user_id', value: 'u' }]);
    expect(extracted.rejected).toEqual([
      { type: 'email', reason: 'invalid_email' },
      { type: 'phone', reason: 'invalid_phone' },
    ]);
  });

  it('reads context.externalIds', () => {
    const extracted = extractIdentifiers(
      {
        type: 'track',
        anonymousId: 'a',
        context: { externalIds: [{ id: 'C-9', type: 'Shopify_Customer' }] },
      },
      rules,
    );
    expect(extracted.identifiers).toContainEqual({ type: 'shopify_customer', value: 'C-9' });
  });

  it('gives the same partition whatever the order of the events (property)', () => {
    // Streams of people with devices and at most one user id each, so no limit is hit.
    const person = fc.record({
      user: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      devices: fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }),
      email: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(person, { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (people, seed) => {
          // Give each person distinct ids so two people never share a device, user or email.
          const messages: Message[] = people.flatMap((p, k) =>
            p.devices.map((d, j) => ({
              type: 'identify',
              anonymousId: `d${k}-${d}`,
              ...(p.user !== undefined && j % 2 === 0 ? { userId: `u${k}-${p.user}` } : {}),
              ...(p.email !== undefined && j === 0
                ? { traits: { email: `e${k}-${p.email}@x.io` } }
                : {}),
            })),
          );
          const shuffled = shuffle(messages, seed);
          expect(run(shuffled).graph.partition()).toEqual(run(messages).graph.partition());
        },
      ),
      { numRuns: 200 },
    );
  });
});

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
