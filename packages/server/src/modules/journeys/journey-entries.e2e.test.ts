import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJourneyTestApp, type JourneyTestApp } from './journey-test.fixture.js';

// Entries from segments and journey-map stages, identity merges while a profile waits, and
// erasure reaching journey runs; through the real processor thread.
let j: JourneyTestApp;

const call = (method: string, url: string, payload?: object) => j.call(method, url, payload);
const send = (batch: object[]) => j.send(batch);
const define = (journey: object) => j.define(journey);
const steps = (journey: string) => j.steps(journey);

async function eventsOf(ref: string): Promise<string[]> {
  const res = await call('GET', `/v1/profiles/${ref}/events`);
  return (res.body['events'] as { event: string | null }[]).map((e) => e.event ?? '');
}

const tagWith = (event: string) => ({
  type: 'action',
  action: { type: 'track_event', event },
});

beforeAll(async () => {
  j = await startJourneyTestApp('2026-11-24T12:00:00Z', {});
});
afterAll(async () => j?.t.close());

describe('journey entries', () => {
  it('enters profiles that enter a segment', async () => {
    const segment = await call('POST', '/v1/segments', {
      id: 'big-spenders',
      name: 'Big spenders',
      condition: { type: 'trait', trait: 'spent', op: 'gte', value: 100 },
    });
    expect(segment.status).toBe(201);
    await define({
      id: 'vip',
      name: 'VIP',
      entry: { segment: 'big-spenders' },
      start: 'hello',
      steps: { hello: tagWith('VIP Welcomed') },
    });
    await send([
      { type: 'identify', userId: 'kim', traits: { spent: 150 } },
      { type: 'identify', userId: 'lou', traits: { spent: 20 } },
    ]);
    expect(await eventsOf('user_id:kim')).toContain('VIP Welcomed');
    expect(await eventsOf('user_id:lou')).not.toContain('VIP Welcomed');
    expect((await steps('vip'))['hello']).toMatchObject({ entered: 1, sent: 1 });
  });

  it('enters profiles that reach a journey-map stage', async () => {
    const map = await call('PUT', '/v1/journey-map/definition', { template: 'ecommerce' });
    expect(map.status, JSON.stringify(map.body)).toBe(200);
    await define({
      id: 'first-order',
      name: 'First order',
      entry: { stage: 'purchase' },
      start: 'thanks',
      steps: { thanks: tagWith('Thanked') },
    });
    await send([
      { type: 'track', userId: 'kim', event: 'Order Completed', properties: { total: 5 } },
    ]);
    expect(await eventsOf('user_id:kim')).toContain('Thanked');
    expect((await steps('first-order'))['thanks']!['entered']).toBe(1);
  });

  it('keeps a waiting run when its profile is merged into another', async () => {
    await define({
      id: 'browse',
      name: 'Browse',
      entry: { event: 'Product Viewed' },
      start: 'await',
      steps: {
        await: {
          type: 'wait_for',
          event: 'Signed Up',
          timeout: { amount: 1, unit: 'days' },
          onEvent: 'joined',
          onTimeout: 'gone',
        },
        joined: tagWith('Joined After Browsing'),
        gone: { type: 'exit' },
      },
    });
    await send([{ type: 'identify', userId: 'max', traits: { name: 'Max' } }]);
    j.clock.advance(60_000); // max's profile is the older one: it survives the merge
    await send([{ type: 'track', anonymousId: 'anon-max', event: 'Product Viewed' }]);
    const anonymous = await call('GET', '/v1/profiles/anonymous_id:anon-max');
    expect((await steps('browse'))['await']!['waiting']).toBe(1);
    // The anonymous visitor logs in: its profile merges into max's.
    await send([{ type: 'identify', userId: 'max', anonymousId: 'anon-max' }]);
    const merged = await call('GET', '/v1/profiles/user_id:max');
    expect(merged.body['mergedFrom']).toEqual([anonymous.body['id']]);
    await send([{ type: 'track', userId: 'max', event: 'Signed Up' }]);
    expect(await eventsOf('user_id:max')).toContain('Joined After Browsing');
    expect((await steps('browse'))['joined']!['entered']).toBe(1);
  });

  it('erases a person’s journey runs with the rest of their data', async () => {
    await send([{ type: 'track', userId: 'nia', event: 'Product Viewed' }]);
    expect((await steps('browse'))['await']!['waiting']).toBe(1);
    const profile = await call('GET', '/v1/profiles/user_id:nia');
    const erased = await call('DELETE', `/v1/privacy/profiles/${profile.body['id'] as string}`);
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(erased.body).toMatchObject({ verified: true, deleted: { journeys: 1 } });
    expect((await steps('browse'))['await']!['waiting']).toBe(0);
  });
});
