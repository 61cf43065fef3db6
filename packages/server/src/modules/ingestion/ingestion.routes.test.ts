import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, testAdminKey, type TestApp } from '../../testing/test-app.fixture.js';
import type { LoggedEvent } from '../event-log/event-log.store.js';

let t: TestApp;
let seenThrough = 0;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());
beforeEach(async () => {
  seenThrough = await t.app.eventLog.lastOffset();
});

/** Events stored since the current test began. */
async function storedSinceTestStart(): Promise<LoggedEvent[]> {
  return t.app.eventLog.read(seenThrough, 10_000);
}

function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  return t.app.http.inject({
    method: 'POST',
    url,
    headers: { authorization: t.basicAuth, 'content-type': 'application/json', ...headers },
    payload:
      typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });
}

describe('each Segment endpoint', () => {
  it.each([
    ['/v1/track', { userId: 'u', event: 'Signed Up' }, 'track', 'Signed Up'],
    ['/v1/t', { userId: 'u', event: 'Signed Up' }, 'track', 'Signed Up'],
    ['/v1/identify', { userId: 'u', traits: { plan: 'pro' } }, 'identify', null],
    ['/v1/i', { userId: 'u' }, 'identify', null],
    ['/v1/page', { anonymousId: 'a', name: 'Pricing' }, 'page', 'Pricing'],
    ['/v1/p', { anonymousId: 'a' }, 'page', null],
    ['/v1/screen', { userId: 'u', name: 'Cart' }, 'screen', 'Cart'],
    ['/v1/s', { userId: 'u', name: 'Cart' }, 'screen', 'Cart'],
    ['/v1/group', { userId: 'u', groupId: 'acme' }, 'group', null],
    ['/v1/g', { userId: 'u', groupId: 'acme' }, 'group', null],
    ['/v1/alias', { userId: 'u', previousId: 'anon' }, 'alias', null],
    ['/v1/a', { userId: 'u', previousId: 'anon' }, 'alias', null],
  ])('%s stores a %s', async (url, body, type, event) => {
    const res = await post(url, body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ success: true });
    const [stored] = await storedSinceTestStart();
    expect(stored).toMatchObject({ type, event, sourceId: 'default' });
    expect(JSON.parse(stored!.message)).toMatchObject({ ...body, type });
  });

  it.each(['/v1/batch', '/v1/b', '/v1/import'])(
    '%s stores a batch with its defaults merged',
    async (url) => {
      const res = await post(url, {
        batch: [
          { type: 'identify', userId: 'u', context: { locale: 'de-DE' } },
          { type: 'track', userId: 'u', event: 'Clicked' },
        ],
        context: { ip: '10.1.1.1', locale: 'en-GB' },
        integrations: { All: false },
      });
      expect(res.statusCode).toBe(200);
      const stored = await storedSinceTestStart();
      expect(stored.map((e) => JSON.parse(e.message) as unknown)).toEqual([
        {
          type: 'identify',
          userId: 'u',
          context: { ip: '10.1.1.1', locale: 'de-DE' },
          integrations: { All: false },
        },
        {
          type: 'track',
          userId: 'u',
          event: 'Clicked',
          context: { ip: '10.1.1.1', locale: 'en-GB' },
          integrations: { All: false },
        },
      ]);
    },
  );
});

describe('authentication', () => {
  it('accepts writeKey in the body, sent as text/plain like analytics.js', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/t',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({
        writeKey: 'wk_test_write_key_0001',
        anonymousId: 'a',
        event: 'Viewed',
      }),
    });
    expect(res.statusCode).toBe(200);
    const [stored] = await storedSinceTestStart();
    expect(JSON.parse(stored!.message)).not.toHaveProperty('writeKey');
  });

  it('accepts a body with no content type', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: t.basicAuth },
      payload: JSON.stringify({ userId: 'u', event: 'X' }),
    });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['no key', {}, 'missing_write_key'],
    [
      'an unknown key',
      { authorization: `Basic ${Buffer.from('wk_nope:').toString('base64')}` },
      'invalid_write_key',
    ],
    [
      'an admin key',
      { authorization: `Basic ${Buffer.from(`${testAdminKey}:`).toString('base64')}` },
      'invalid_write_key',
    ],
  ])('answers 401 problem+json for %s and stores nothing', async (_name, headers, code) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'application/json', ...headers },
      payload: { userId: 'u', event: 'X' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    expect(res.json()).toMatchObject({ status: 401, code });
    expect(await storedSinceTestStart()).toHaveLength(0);
  });

  it('refuses a revoked write key', async () => {
    const created = await t.app.keys.create({ kind: 'write', name: 'temp', sourceId: 'temp' });
    const auth = { authorization: `Basic ${Buffer.from(`${created.key}:`).toString('base64')}` };
    expect((await post('/v1/track', { userId: 'u', event: 'X' }, auth)).statusCode).toBe(200);
    await t.app.keys.revoke(created.info.id);
    const res = await post('/v1/track', { userId: 'u', event: 'X' }, auth);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'invalid_write_key' });
  });
});

describe('bad input', () => {
  it.each([
    ['broken JSON', '{"userId":', 'invalid_json', undefined],
    ['an empty body', '', 'invalid_json', undefined],
    ['a JSON array', '[1]', 'invalid_message', ''],
  ])('answers 400 for %s', async (_name, payload, code, field) => {
    const res = await post('/v1/track', payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      status: 400,
      code,
      type: expect.stringContaining('https://') as unknown,
      title: expect.any(String) as unknown,
      detail: expect.any(String) as unknown,
    });
    expect(body['field']).toBe(field);
  });

  it('names the missing field of a single message', async () => {
    const res = await post('/v1/track', { userId: 'u' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'missing_field', field: '/event' });
  });

  it('refuses a request body over 500 KB with 413, storing nothing', async () => {
    const batch = Array.from({ length: 60 }, (_, i) => ({
      type: 'track',
      userId: 'u',
      event: 'Big',
      properties: { i, pad: 'x'.repeat(9000) },
    }));
    const res = await post('/v1/batch', { batch });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(await storedSinceTestStart()).toHaveLength(0);
  });

  it('refuses a single-message body over the message limit with 413', async () => {
    const res = await post('/v1/track', {
      userId: 'u',
      event: 'X',
      properties: { pad: 'x'.repeat(40_000) },
    });
    expect(res.statusCode).toBe(413);
  });

  it('refuses more than 2,500 messages and stores none of them', async () => {
    const batch = Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'E' }));
    const res = await post('/v1/batch', { batch });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'batch_too_many_messages', field: '/batch' });
    expect(await storedSinceTestStart()).toHaveLength(0);
  });

  it('stores the valid messages of a batch and reports each rejected one', async () => {
    const res = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u', event: 'Good 1' },
        { type: 'track', userId: 'u' },
        { type: 'track', event: 'No identity' },
        'not an object',
        { type: 'track', userId: 'u', event: 'Big', properties: { pad: 'x'.repeat(33_000) } },
        { type: 'track', userId: 'u', event: 'Bad time', timestamp: '23/11/2026' },
        { type: 'refund', userId: 'u' },
        { type: 'identify', userId: 'u', traits: { plan: 'pro' } },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<{ code: string; accepted: number; field: string; rejected: unknown[] }>();
    expect(body.code).toBe('batch_rejected');
    expect(body.accepted).toBe(2);
    expect(body.field).toBe('/batch/1/event');
    expect(body.rejected).toEqual([
      { index: 1, code: 'missing_field', field: '/batch/1/event', detail: expect.any(String) },
      { index: 2, code: 'missing_identity', field: '/batch/2/userId', detail: expect.any(String) },
      { index: 3, code: 'invalid_message', field: '/batch/3', detail: expect.any(String) },
      { index: 4, code: 'message_too_large', field: '/batch/4', detail: expect.any(String) },
      {
        index: 5,
        code: 'invalid_timestamp',
        field: '/batch/5/timestamp',
        detail: expect.any(String),
      },
      {
        index: 6,
        code: 'unknown_message_type',
        field: '/batch/6/type',
        detail: expect.any(String),
      },
    ]);
    const stored = await storedSinceTestStart();
    expect(stored.map((e) => e.event ?? e.type)).toEqual(['Good 1', 'identify']);
  });

  it('refuses a batch message nested too deeply for the PII walker, and keeps the others', async () => {
    // Under the 32 KB limit and kept as sent (no serialization to catch it), but deep
    // enough to overflow the steps that walk a message: this ended the batch in a 500.
    const deep = `${'['.repeat(8_000)}1${']'.repeat(8_000)}`;
    const res = await post(
      '/v1/batch',
      `{"batch":[{"type":"track","userId":"u","event":"Deep","properties":{"deep":${deep}}},` +
        '{"type":"track","userId":"u","event":"Shallow"}]}',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<{ rejected: unknown[] }>().rejected).toEqual([
      { index: 0, code: 'message_too_deep', field: '/batch/0', detail: expect.any(String) },
    ]);
    const stored = await storedSinceTestStart();
    expect(stored.map((e) => e.event)).toEqual(['Shallow']);
  });

  it('answers 415 for an unknown content encoding', async () => {
    const res = await post('/v1/track', JSON.stringify({ userId: 'u', event: 'X' }), {
      'content-encoding': 'br',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'unsupported_content_encoding' });
  });

  it('answers 400 for a corrupt gzip body', async () => {
    const res = await post('/v1/track', Buffer.from('definitely not gzip'), {
      'content-encoding': 'gzip',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('never answers 5xx to arbitrary bodies, and never stores from a failed request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ batch: [v] })),
        ),
        async (payload) => {
          const res = await post('/v1/batch', payload);
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode !== 200) expect(res.headers['content-type']).toMatch(/problem\+json/);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('content encodings', () => {
  it('reads a gzipped batch', async () => {
    const body = gzipSync(
      JSON.stringify({ batch: [{ type: 'track', userId: 'gz', event: 'Zipped' }] }),
    );
    const res = await post('/v1/batch', body, { 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(200);
    expect((await storedSinceTestStart()).map((e) => e.userId)).toEqual(['gz']);
  });

  it('applies the 500 KB limit to the decompressed size', async () => {
    const batch = Array.from({ length: 100 }, () => ({
      type: 'track',
      userId: 'u',
      event: 'E',
      properties: { pad: 'a'.repeat(6000) },
    }));
    const body = gzipSync(JSON.stringify({ batch }));
    expect(body.length).toBeLessThan(50_000);
    const res = await post('/v1/batch', body, { 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(413);
  });
});

describe('dedup', () => {
  it('acknowledges a repeated messageId without storing it again', async () => {
    const message = { userId: 'u', event: 'Paid', messageId: 'dedup-1' };
    expect((await post('/v1/track', message)).statusCode).toBe(200);
    expect((await post('/v1/track', message)).statusCode).toBe(200);
    expect(
      (
        await post('/v1/batch', {
          batch: [
            { ...message, type: 'track' },
            { ...message, type: 'track' },
          ],
        })
      ).statusCode,
    ).toBe(200);
    expect(await storedSinceTestStart()).toHaveLength(1);
  });

  it('keeps messageIds of different sources apart', async () => {
    const other = await t.app.keys.create({ kind: 'write', name: 'app', sourceId: 'ios-app' });
    const message = { userId: 'u', event: 'Paid', messageId: 'shared-id' };
    await post('/v1/track', message);
    await post('/v1/track', message, {
      authorization: `Basic ${Buffer.from(`${other.key}:`).toString('base64')}`,
    });
    expect((await storedSinceTestStart()).map((e) => e.sourceId)).toEqual(['default', 'ios-app']);
  });
});

describe('time', () => {
  it('corrects the timestamp of a client whose clock is off', async () => {
    const skew = 2 * 3_600_000;
    const now = Date.now();
    await post('/v1/track', {
      userId: 'u',
      event: 'Skewed',
      timestamp: new Date(now + skew - 60_000).toISOString(),
      sentAt: new Date(now + skew).toISOString(),
    });
    const [stored] = await storedSinceTestStart();
    expect(Math.abs(stored!.timestamp - (stored!.receivedAt - 60_000))).toBeLessThanOrEqual(1);
    expect(stored!.originalTimestamp).toBe(Date.parse(new Date(now + skew - 60_000).toISOString()));
  });
});

describe('CORS', () => {
  it('answers a preflight and marks responses readable by any origin', async () => {
    const preflight = await t.app.http.inject({
      method: 'OPTIONS',
      url: '/v1/batch',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    const res = await post(
      '/v1/track',
      { userId: 'u', event: 'X' },
      { origin: 'https://shop.example' },
    );
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
