import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('the keys API', () => {
  it('creates a write key for a new source, lists it without the key, and revokes it', async () => {
    const created = await t.app.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin },
      payload: { kind: 'write', name: 'ios', sourceId: 'ios-app' },
    });
    expect(created.statusCode).toBe(201);
    const { key, info } = created.json<{
      key: string;
      info: { id: string; sourceId: string; kind: string };
    }>();
    expect(info).toMatchObject({ kind: 'write', sourceId: 'ios-app' });

    const track = () =>
      t.app.http.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
        payload: { userId: 'u', event: 'E' },
      });
    expect((await track()).statusCode).toBe(200);
    const [stored] = await t.app.eventLog.read((await t.app.eventLog.lastOffset()) - 1, 1);
    expect(stored?.sourceId).toBe('ios-app');

    const list = await t.app.http.inject({
      method: 'GET',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin },
    });
    expect(list.body).not.toContain(key);
    expect(list.json<{ keys: { id: string }[] }>().keys.map((k) => k.id)).toContain(info.id);

    const revoked = await t.app.http.inject({
      method: 'DELETE',
      url: `/v1/keys/${info.id}`,
      headers: { authorization: t.bearerAdmin },
    });
    expect(revoked.statusCode).toBe(204);
    expect((await track()).statusCode).toBe(401);
    const again = await t.app.http.inject({
      method: 'DELETE',
      url: `/v1/keys/${info.id}`,
      headers: { authorization: t.bearerAdmin },
    });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ code: 'not_found' });
  });

  it('creates a secret key that can use the admin API', async () => {
    const created = await t.app.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin },
      payload: { kind: 'secret', name: 'ops' },
    });
    const { key } = created.json<{ key: string }>();
    expect(key).toMatch(/^sk_/);
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/v1/keys',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    [{ kind: 'root', name: 'x' }, '/kind'],
    [{ kind: 'write' }, '/name'],
    [{ kind: 'write', name: '' }, '/name'],
    [{ kind: 'write', name: 'x', extra: 1 }, '/extra'],
  ])('refuses %j with a problem', async (payload, field) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request' });
    if (field !== undefined) expect(res.json<{ field: string }>().field).toBe(field);
  });

  it('refuses malformed JSON with invalid_json', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: { authorization: t.bearerAdmin, 'content-type': 'application/json' },
      payload: '{"kind":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_json' });
  });
});
