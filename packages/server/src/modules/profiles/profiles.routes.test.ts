import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const batch = [
    { type: 'page', anonymousId: 'phone-1', name: 'Home', timestamp: '2026-11-01T10:00:00Z' },
    {
      type: 'identify',
      anonymousId: 'laptop-1',
      traits: { plan: 'free', email: 'ann@example.com' },
      timestamp: '2026-11-02T10:00:00Z',
    },
    {
      type: 'identify',
      anonymousId: 'phone-1',
      userId: 'ann-42',
      traits: { plan: 'pro', email: 'Ann@Example.com' },
      timestamp: '2026-11-03T10:00:00Z',
    },
    {
      type: 'track',
      userId: 'ann-42',
      event: 'Order Completed',
      properties: { revenue: 30 },
      timestamp: '2026-11-04T10:00:00Z',
    },
    {
      type: 'identify',
      userId: 'bob-7',
      traits: { plan: 'pro' },
      timestamp: '2026-11-05T10:00:00Z',
    },
    {
      type: 'identify',
      anonymousId: 'phone-1',
      userId: 'bob-7',
      timestamp: '2026-11-06T10:00:00Z',
    },
  ];
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: { batch },
  });
  expect(res.statusCode).toBe(200);
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
});
afterAll(async () => t.close());

const get = (url: string) =>
  t.app.http.inject({ method: 'GET', url, headers: { authorization: t.bearerAdmin } });

describe('the profile API', () => {
  it('finds a profile by email, user id, anonymous id and profile id — all the same person', async () => {
    const byEmail = await get('/v1/profiles/email:ANN@example.com');
    expect(byEmail.statusCode).toBe(200);
    const profile = byEmail.json<{
      id: string;
      traits: Record<string, unknown>;
      identifiers: unknown[];
      eventCount: number;
      firstSeen: string;
      mergedFrom: string[];
    }>();
    expect(profile).toMatchObject({
      id: 'p_1',
      eventCount: 4,
      firstSeen: '2026-11-01T10:00:00.000Z',
      mergedFrom: ['p_2'],
    });
    expect(profile.traits).toEqual({ plan: 'pro', email: 'Ann@Example.com' });
    expect(profile.identifiers).toEqual([
      { type: 'anonymous_id', value: 'laptop-1' },
      { type: 'anonymous_id', value: 'phone-1' },
      { type: 'email', value: 'ann@example.com' },
      { type: 'user_id', value: 'ann-42' },
    ]);
    for (const ref of ['user_id:ann-42', 'anonymous_id:laptop-1', 'p_1', 'p_2']) {
      expect((await get(`/v1/profiles/${encodeURIComponent(ref)}`)).json<{ id: string }>().id).toBe(
        'p_1',
      );
    }
  });

  it('pages the timeline, newest first', async () => {
    const first = (await get('/v1/profiles/p_1/events?limit=3')).json<{
      events: { offset: number; type: string }[];
      next: number | null;
    }>();
    expect(first.events.map((e) => e.offset)).toEqual([4, 3, 2]);
    const second = (await get(`/v1/profiles/p_1/events?limit=3&before=${first.next}`)).json<{
      events: { offset: number }[];
      next: number | null;
    }>();
    expect(second.events.map((e) => e.offset)).toEqual([1]);
    expect(second.next).toBeNull();
  });

  it('explains each merge', async () => {
    const merges = (await get('/v1/profiles/user_id:ann-42/merges')).json<{ merges: unknown[] }>()
      .merges;
    expect(merges).toEqual([
      expect.objectContaining({
        survivorId: 'p_1',
        mergedId: 'p_2',
        eventOffset: 3,
        at: '2026-11-03T10:00:00.000Z',
        identifiers: [
          { type: 'anonymous_id', value: 'laptop-1' },
          { type: 'email', value: 'ann@example.com' },
        ],
      }),
    ]);
  });

  it('lists the conflict of the shared phone', async () => {
    const conflicts = (await get('/v1/identity/conflicts')).json<{ conflicts: unknown[] }>()
      .conflicts;
    expect(conflicts).toEqual([
      expect.objectContaining({
        profileId: 'p_5',
        otherProfileId: 'p_1',
        reason: 'limit:user_id',
        eventOffset: 6,
      }),
    ]);
  });

  it('searches by trait', async () => {
    const page = (await get('/v1/profiles?trait.plan=pro')).json<{
      profiles: { id: string }[];
      cursor: string | null;
    }>();
    expect(page.profiles.map((p) => p.id)).toEqual(['p_1', 'p_5']);
    expect(page.cursor).toBeNull();
    const both = (await get('/v1/profiles?trait.plan=pro&trait.email=Ann%40Example.com')).json<{
      profiles: { id: string }[];
    }>();
    expect(both.profiles.map((p) => p.id)).toEqual(['p_1']);
  });

  it.each([
    ['/v1/profiles/p_999', 404, 'not_found'],
    ['/v1/profiles/email:nobody@example.com', 404, 'not_found'],
    ['/v1/profiles/email:not-an-email', 400, 'invalid_request'],
    ['/v1/profiles?limit=5', 400, 'invalid_request'],
    ['/v1/profiles?colour=red', 400, 'invalid_request'],
  ])('answers %s with %i %s', async (url, status, code) => {
    const res = await get(url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });

  it('requires a secret key', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/v1/profiles/p_1',
      headers: { authorization: t.basicAuth },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('computed traits in the profile', () => {
  it('reports event counts, last seen per event and RFM at the injected now', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20));
    const app = await startTestApp({}, { clock });
    try {
      const batch = [
        {
          type: 'track',
          userId: 'c1',
          event: 'Order Completed',
          properties: { revenue: 50 },
          timestamp: '2026-07-01T00:00:00Z',
        },
        {
          type: 'track',
          userId: 'c1',
          event: 'Order Completed',
          properties: { total: 20 },
          timestamp: '2026-10-31T00:00:00Z',
        },
        { type: 'track', userId: 'c1', event: 'Product Viewed', timestamp: '2026-11-10T00:00:00Z' },
        {
          type: 'track',
          userId: 'c1',
          event: 'Order Completed',
          properties: { revenue: 30, currency: 'EUR' },
          timestamp: '2026-11-15T00:00:00Z',
        },
      ];
      await app.app.http.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: app.basicAuth },
        payload: { batch },
      });
      await app.app.processor!.caughtUp(await app.app.eventLog.lastOffset());
      const res = await app.app.http.inject({
        method: 'GET',
        url: '/v1/profiles/user_id:c1',
        headers: { authorization: app.bearerAdmin },
      });
      expect(res.json<{ computed: unknown }>().computed).toEqual({
        eventCounts: { 'Order Completed': 3, 'Product Viewed': 1 },
        lastSeen: {
          'Order Completed': '2026-11-15T00:00:00.000Z',
          'Product Viewed': '2026-11-10T00:00:00.000Z',
        },
        rfm: {
          recencyDays: 5,
          frequency: 3,
          monetary: 100,
          averageOrderValue: 33.33,
          windows: {
            '30d': { frequency: 2, monetary: 50, averageOrderValue: 25 },
            '90d': { frequency: 2, monetary: 50, averageOrderValue: 25 },
          },
        },
      });
    } finally {
      await app.close();
    }
  });
});
