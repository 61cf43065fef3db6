import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, settle, startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

// Decide keeps recent visitors' profiles in memory (VisitorCache); these check that what
// the processor changes, merges and erasure reach decide anyway.
let t: TestApp;

const call = (method: string, url: string, payload?: object, authorization?: string) =>
  callApi(t.app, method, url, payload, authorization ?? t.bearerAdmin);

const greeting = {
  id: 'greeting',
  name: 'Greeting',
  rules: [
    {
      id: 'pro',
      condition: { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' },
      variant: { id: 'pro', template: 'Welcome back, {{ traits.name }}' },
    },
  ],
  fallback: { id: 'default', template: 'Hello {{ traits.name | default: "stranger" }}' },
};

const regulars = {
  id: 'regulars',
  name: 'Regulars',
  rules: [
    {
      id: 'regular',
      condition: { type: 'computed', path: 'eventCounts.Login', op: 'gte', value: 2 },
      variant: { id: 'regular', template: 'Good to see you again' },
    },
  ],
  fallback: { id: 'default', template: 'Hello' },
};

async function ask(
  visitor: { userId?: string; anonymousId?: string },
  log = false,
  placement = 'greeting',
) {
  const res = await call(
    'POST',
    '/v1/decide',
    { ...visitor, placements: [placement], log },
    t.basicAuth,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const [d] = res.body['decisions'] as { variantId: string; rendered: string }[];
  return `${d!.variantId}: ${d!.rendered}`;
}

async function send(batch: object[]) {
  const res = await call('POST', '/v1/batch', { batch }, t.basicAuth);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await settle(t.app);
}

/** Visitor lookups answered from memory so far. */
async function hits(): Promise<number> {
  const res = await t.app.http.inject({ method: 'GET', url: '/metrics' });
  const line = /attune_decide_visitor_cache_lookups_total\{result="hit"\} (\d+)/.exec(res.body);
  expect(line, 'the visitor cache metric').not.toBeNull();
  return Number(line![1]);
}

beforeAll(async () => {
  t = await startTestApp();
  expect((await call('POST', '/v1/placements', greeting)).status).toBe(201);
  expect((await call('POST', '/v1/placements', regulars)).status).toBe(201);
});
afterAll(async () => t.close());

describe('decide with cached visitor profiles', () => {
  it('answers repeated decides from memory, and sees a trait change once it is processed', async () => {
    await send([{ type: 'identify', userId: 'ann', traits: { name: 'Ann', plan: 'free' } }]);
    expect(await ask({ userId: 'ann' })).toBe('default: Hello Ann');
    const before = await hits();
    expect(await ask({ userId: 'ann' })).toBe('default: Hello Ann');
    expect(await hits()).toBe(before + 1);

    await send([{ type: 'identify', userId: 'ann', traits: { name: 'Ann B', plan: 'pro' } }]);
    expect(await ask({ userId: 'ann' })).toBe('pro: Welcome back, Ann B');
  });

  it('sees a computed trait change (no trait, membership or stage changed)', async () => {
    await send([{ type: 'track', userId: 'fay', event: 'Login' }]);
    expect(await ask({ userId: 'fay' }, false, 'regulars')).toBe('default: Hello');
    expect(await ask({ userId: 'fay' }, false, 'regulars')).toBe('default: Hello');
    await send([{ type: 'track', userId: 'fay', event: 'Login' }]);
    expect(await ask({ userId: 'fay' }, false, 'regulars')).toBe('regular: Good to see you again');
  });

  it('keeps a profile that only its own Decision Served events changed', async () => {
    // The processor applies them to profiles only while something is defined on them.
    const segment = {
      id: 'often-served',
      name: 'Often served',
      condition: { type: 'event', event: 'Decision Served', count: { op: 'at_least', value: 50 } },
    };
    expect((await call('POST', '/v1/segments', segment)).status).toBe(201);
    await expect
      .poll(async () => (await call('GET', '/v1/segments/often-served')).body['status'], {
        timeout: 5000,
      })
      .toMatchObject({ state: 'ready' });
    await send([{ type: 'identify', userId: 'cid', traits: { name: 'Cid', plan: 'pro' } }]);
    expect(await ask({ userId: 'cid' }, true)).toBe('pro: Welcome back, Cid');
    // Wait until the Decision Served event is in the profile (the log batches it briefly).
    for (let tries = 0; ; tries++) {
      await settle(t.app);
      const events = await call('GET', '/v1/profiles/user_id:cid/events');
      const names = (events.body['events'] as { event?: string }[]).map((e) => e.event);
      if (names.includes('Decision Served')) break;
      expect(tries, 'Decision Served reached the profile').toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const before = await hits();
    expect(await ask({ userId: 'cid' })).toBe('pro: Welcome back, Cid');
    expect(await hits()).toBe(before + 1);
    // Any other event of the person drops it: their next decide reads it again.
    await send([{ type: 'track', userId: 'cid', event: 'Page Viewed' }]);
    expect(await ask({ userId: 'cid' })).toBe('pro: Welcome back, Cid');
    expect(await hits()).toBe(before + 1);
  });

  it('follows a visitor whose anonymous profile is merged into a known one', async () => {
    await send([
      { type: 'identify', userId: 'dee', traits: { name: 'Dee', plan: 'pro' } },
      { type: 'track', anonymousId: 'anon-dee', event: 'Page Viewed' },
    ]);
    expect(await ask({ anonymousId: 'anon-dee' })).toBe('default: Hello stranger');
    expect(await ask({ anonymousId: 'anon-dee' })).toBe('default: Hello stranger');
    await send([{ type: 'identify', userId: 'dee', anonymousId: 'anon-dee' }]);
    expect(await ask({ anonymousId: 'anon-dee' })).toBe('pro: Welcome back, Dee');
  });

  it('forgets an erased visitor at once', async () => {
    await send([{ type: 'identify', userId: 'eve', traits: { name: 'Eve', plan: 'pro' } }]);
    expect(await ask({ userId: 'eve' })).toBe('pro: Welcome back, Eve');
    expect(await ask({ userId: 'eve' })).toBe('pro: Welcome back, Eve');
    const profile = await call('GET', '/v1/profiles/user_id:eve');
    const erased = await call('DELETE', `/v1/privacy/profiles/${String(profile.body['id'])}`);
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(await ask({ userId: 'eve' })).toBe('default: Hello stranger');
  });
});
