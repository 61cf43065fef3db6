import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testWriteKey, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const batch = [
    { type: 'identify', userId: 'ann', traits: { plan: 'pro' } },
    { type: 'track', userId: 'ann', event: 'Product Viewed', timestamp: '2026-11-20T10:00:00Z' },
    { type: 'page', anonymousId: 'anon-1', name: 'Home' },
    { type: 'track', userId: 'bob', event: 'Order Completed', properties: { revenue: 10 } },
    { type: 'track', anonymousId: 'anon-1', event: 'Product Viewed' },
  ];
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: { batch },
  });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => t.close());

interface Page {
  events: {
    offset: number;
    type: string;
    event: string | null;
    userId: string | null;
    timestamp: string;
    receivedAt: string;
    message: Record<string, unknown>;
  }[];
  next: number;
  hasMore: boolean;
  lastOffset: number;
}

async function get(query: string, authorization = t.bearerAdmin) {
  return t.app.http.inject({
    method: 'GET',
    url: `/v1/events${query}`,
    headers: { authorization },
  });
}

describe('GET /v1/events', () => {
  it('returns stored events with offsets, normalized fields and the message', async () => {
    const res = await get('');
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.events.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);
    expect(page).toMatchObject({ next: 5, hasMore: false, lastOffset: 5 });
    expect(page.events[1]).toMatchObject({
      type: 'track',
      event: 'Product Viewed',
      userId: 'ann',
      timestamp: '2026-11-20T10:00:00.000Z',
      message: { event: 'Product Viewed' },
    });
    expect(page.events[1]?.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it.each([
    ['?type=track', [2, 4, 5]],
    ['?event=Product%20Viewed', [2, 5]],
    ['?userId=ann', [1, 2]],
    ['?anonymousId=anon-1', [3, 5]],
    ['?source=default&type=page', [3]],
    ['?source=elsewhere', []],
    ['?after=3', [4, 5]],
    ['?from=2026-11-20T09:00:00Z&to=2026-11-20T11:00:00Z', [2]],
    ['?to=2026-11-20T10:00:00Z', []],
  ])('filters %s', async (query, offsets) => {
    const page = (await get(query)).json<Page>();
    expect(page.events.map((e) => e.offset)).toEqual(offsets);
  });

  it('pages with limit and next', async () => {
    const first = (await get('?limit=2')).json<Page>();
    expect(first.events.map((e) => e.offset)).toEqual([1, 2]);
    expect(first.hasMore).toBe(true);
    const second = (await get(`?limit=2&after=${first.next}`)).json<Page>();
    expect(second.events.map((e) => e.offset)).toEqual([3, 4]);
  });

  it.each([
    ['?limit=0', '/limit'],
    ['?limit=5000', '/limit'],
    ['?after=-1', '/after'],
    ['?after=abc', '/after'],
    ['?type=purchase', '/type'],
    ['?from=yesterday', '/from'],
    ['?colour=red', '/colour'],
  ])('refuses %s with a problem naming the parameter', async (query, field) => {
    const res = await get(query);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<{ code: string; field?: string }>();
    expect(body.code).toBe('invalid_request');
    if (field !== undefined) expect(body.field).toBe(field);
  });

  it.each([
    ['no key', undefined, 401, 'missing_api_key'],
    ['a write key', `Bearer ${testWriteKey}`, 401, 'invalid_api_key'],
    ['an unknown key', 'Bearer sk_nope', 401, 'invalid_api_key'],
  ])('refuses %s', async (_name, authorization, status, code) => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/v1/events',
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });
});
