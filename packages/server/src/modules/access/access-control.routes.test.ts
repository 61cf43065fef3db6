import type { KeyRole } from '@attune/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const start = Date.parse('2027-03-01T12:00:00Z');
const clock = new ManualClock(start);
let t: TestApp;
const bearer = {} as Record<KeyRole, string>;

beforeAll(async () => {
  t = await startTestApp({}, { clock });
  for (const role of ['marketer', 'analyst', 'viewer'] as const) {
    const { key } = await t.app.keys.create({ kind: 'secret', name: role, role });
    bearer[role] = `Bearer ${key}`;
  }
  bearer.admin = t.bearerAdmin;
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: {
      batch: [
        {
          type: 'identify',
          userId: 'ann-42',
          traits: { plan: 'pro', email: 'ann@example.com', address: { city: 'Oslo' } },
          context: { ip: '203.0.113.9' },
        },
      ],
    },
  });
  expect(res.statusCode).toBe(200);
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
});
afterAll(async () => t.close());

const get = (url: string, authorization: string) =>
  t.app.http.inject({ method: 'GET', url, headers: { authorization } });

describe('PII masking by role', () => {
  it('shows the admin everything', async () => {
    const profile = await get('/v1/profiles/user_id:ann-42', bearer.admin);
    expect(profile.json()).toMatchObject({
      traits: { email: 'ann@example.com', address: { city: 'Oslo' }, plan: 'pro' },
    });
    expect(profile.json<{ identifiers: unknown[] }>().identifiers).toContainEqual({
      type: 'email',
      value: 'ann@example.com',
    });
  });

  it.each(['marketer', 'analyst'] as const)('masks PII for the %s', async (role) => {
    const profile = await get('/v1/profiles/user_id:ann-42', bearer[role]);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({
      traits: { email: 'a***@example.com', address: { city: '[masked]' }, plan: 'pro' },
    });
    const { identifiers } = profile.json<{ identifiers: { type: string; value: string }[] }>();
    expect(identifiers).toContainEqual({ type: 'email', value: 'a***@example.com' });
    expect(identifiers).toContainEqual({ type: 'user_id', value: 'ann-42' });
    expect(profile.body).not.toContain('ann@example.com');

    for (const url of ['/v1/events', '/v1/profiles/user_id:ann-42/events']) {
      const events = await get(url, bearer[role]);
      expect(events.statusCode).toBe(200);
      const [event] = events.json<{ events: { message: Record<string, unknown> }[] }>().events;
      expect(event?.message).toMatchObject({
        traits: { email: 'a***@example.com', plan: 'pro' },
        context: { ip: '[masked]' },
        userId: 'ann-42',
      });
    }

    const search = await get('/v1/profiles?trait.plan=pro', bearer[role]);
    expect(search.json<{ profiles: unknown[] }>().profiles).toMatchObject([
      { traits: { email: 'a***@example.com' } },
    ]);
  });

  it('gives the viewer aggregates only', async () => {
    expect((await get('/v1/profiles/user_id:ann-42', bearer.viewer)).statusCode).toBe(403);
    expect((await get('/v1/events', bearer.viewer)).statusCode).toBe(403);
    expect((await get('/v1/segments', bearer.viewer)).statusCode).toBe(200);
    expect((await get('/v1/journey-map', bearer.viewer)).statusCode).toBe(200);
  });
});

describe('key expiry', () => {
  it('refuses a key once it has expired, and lists when it does', async () => {
    const created = await t.app.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin },
      payload: {
        kind: 'secret',
        name: 'contractor',
        role: 'analyst',
        expiresAt: '2027-03-01T13:00:00Z',
      },
    });
    expect(created.statusCode).toBe(201);
    const { key, info } = created.json<{ key: string; info: { id: string; expiresAt: string } }>();
    expect(info.expiresAt).toBe('2027-03-01T13:00:00.000Z');
    expect((await get('/v1/segments', `Bearer ${key}`)).statusCode).toBe(200);

    clock.set(Date.parse('2027-03-01T13:00:00Z'));
    const refused = await get('/v1/segments', `Bearer ${key}`);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'invalid_api_key' });
    expect(refused.json<{ detail: string }>().detail).toMatch(/expired at 2027-03-01T13:00:00/);

    const list = await get('/v1/keys', t.bearerAdmin);
    const listed = list.json<{ keys: { id: string; expiresAt: string | null }[] }>().keys;
    expect(listed.find((k) => k.id === info.id)?.expiresAt).toBe('2027-03-01T13:00:00.000Z');
    clock.set(start);
  });

  it('expires write keys too', async () => {
    const { key } = await t.app.keys.create({
      kind: 'write',
      name: 'campaign site',
      expiresAt: '2027-03-02T00:00:00Z',
    });
    const track = () =>
      t.app.http.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
        payload: { userId: 'u', event: 'E' },
      });
    expect((await track()).statusCode).toBe(200);
    clock.set(Date.parse('2027-03-02T00:00:01Z'));
    const refused = await track();
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'invalid_write_key' });
    clock.set(start);
  });

  it.each([
    ['tomorrow', /ISO-8601/],
    ['2027-02-28T00:00:00Z', /in the past/],
  ])('refuses expiresAt %j', async (expiresAt, detail) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin },
      payload: { kind: 'secret', name: 'x', expiresAt },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', field: '/expiresAt' });
    expect(res.json<{ detail: string }>().detail).toMatch(detail);
  });
});
