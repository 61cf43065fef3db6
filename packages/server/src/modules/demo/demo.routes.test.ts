import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.http.inject({ method: 'GET', url, headers });
const admin = async (url: string) =>
  (await callApi(t.app, 'GET', url, undefined, t.bearerAdmin)).body;
const keyIn = (html: string) => /data-write-key="(wk_demo_[A-Za-z0-9]+)"/.exec(html)?.[1];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('GET /demo', () => {
  it('serves the shop with a write key of its own source, and makes what it needs', async () => {
    expect((await admin('/v1/placements/demo_hero'))['code']).toBe('not_found');
    const res = await get('/demo');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<script src="/sdk/attune.js"');
    const key = keyIn(res.body);
    expect(key).toBeDefined();

    const sent = await t.app.http.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ writeKey: key, anonymousId: 'demo-visitor', event: 'Demo Test' }),
    });
    expect(sent.statusCode).toBe(200);
    const events = (await admin('/v1/events?limit=10'))['events'] as { sourceId: string }[];
    expect(events.at(-1)?.sourceId).toBe('demo');

    const hero = await admin('/v1/placements/demo_hero');
    expect((hero['rules'] as { id: string }[]).map((r) => r.id)).toEqual([
      'cart-reminder',
      'outdoor',
    ]);
    for (const id of ['demo-outdoor-fans', 'demo-cart-holders'])
      expect((await admin(`/v1/segments/${id}`))['id']).toBe(id);
    expect(keyIn((await get('/demo')).body)).toBe(key);
  });

  it('keeps the same key after a restart, and leaves deleted demo parts deleted', async () => {
    const key = keyIn((await get('/demo')).body);
    await t.app.http.inject({
      method: 'DELETE',
      url: '/v1/placements/demo_hero',
      headers: { authorization: t.bearerAdmin },
    });
    await t.restart();
    expect(keyIn((await get('/demo')).body)).toBe(key);
    expect((await admin('/v1/placements/demo_hero'))['code']).toBe('not_found');
  });
});

describe('GET /sdk/attune.js', () => {
  it('serves the built SDK with an ETag and CORS', async () => {
    const res = await get('/sdk/attune.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toContain('/v1/batch');
    const again = await get('/sdk/attune.js', { 'if-none-match': String(res.headers['etag']) });
    expect(again.statusCode).toBe(304);
    expect((await get('/sdk/attune.esm.js')).statusCode).toBe(200);
  });
});

describe('ATTUNE_DEMO=false', () => {
  it('serves no demo', async () => {
    const off = await startTestApp({ ATTUNE_DEMO: 'false' });
    try {
      const res = await off.app.http.inject({ method: 'GET', url: '/demo' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      await off.close();
    }
  });
});
