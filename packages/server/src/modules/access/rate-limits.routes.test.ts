import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const clock = new ManualClock(Date.parse('2027-03-01T12:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(
    {
      ATTUNE_PROCESSOR: 'false',
      ATTUNE_RATE_LIMIT_SECRET: '2',
      ATTUNE_RATE_LIMIT_SECRET_BURST: '3',
      ATTUNE_RATE_LIMIT_WRITE: '1',
      ATTUNE_RATE_LIMIT_WRITE_BURST: '2',
    },
    { clock },
  );
});
afterAll(async () => t.close());

const listSegments = (authorization: string) =>
  t.app.http.inject({ method: 'GET', url: '/v1/segments', headers: { authorization } });
const track = () =>
  t.app.http.inject({
    method: 'POST',
    url: '/v1/track',
    headers: { authorization: t.basicAuth },
    payload: { userId: 'u', event: 'E' },
  });

describe('rate limits', () => {
  it('throttles a secret key past its burst with 429 and Retry-After, and refills with time', async () => {
    for (let i = 0; i < 3; i++) expect((await listSegments(t.bearerAdmin)).statusCode).toBe(200);
    const limited = await listSegments(t.bearerAdmin);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });

    // Another key has its own bucket.
    const { key } = await t.app.keys.create({ kind: 'secret', name: 'other', role: 'viewer' });
    expect((await listSegments(`Bearer ${key}`)).statusCode).toBe(200);

    clock.advance(500); // 2/s: one token back
    expect((await listSegments(t.bearerAdmin)).statusCode).toBe(200);
    expect((await listSegments(t.bearerAdmin)).statusCode).toBe(429);
    clock.advance(10_000); // refills to the burst, no further
    for (let i = 0; i < 3; i++) expect((await listSegments(t.bearerAdmin)).statusCode).toBe(200);
    expect((await listSegments(t.bearerAdmin)).statusCode).toBe(429);
  });

  it('throttles a write key on ingest without storing the refused events', async () => {
    const before = await t.app.eventLog.lastOffset();
    expect((await track()).statusCode).toBe(200);
    expect((await track()).statusCode).toBe(200);
    const limited = await track();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    // A page on another origin (the browser SDK) may read the refusal and when to retry.
    expect(limited.headers['access-control-allow-origin']).toBe('*');
    expect(limited.headers['access-control-expose-headers']).toContain('retry-after');
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
    expect(await t.app.eventLog.lastOffset()).toBe(before + 2);

    clock.advance(1000);
    expect((await track()).statusCode).toBe(200);
  });

  it('limits JSONL imports by the same write key bucket', async () => {
    clock.advance(60_000);
    const upload = () =>
      t.app.http.inject({
        method: 'POST',
        url: '/v1/import',
        headers: { authorization: t.basicAuth, 'content-type': 'application/x-ndjson' },
        payload: '{"type":"track","userId":"u","event":"E"}\n',
      });
    expect((await upload()).statusCode).toBe(200);
    expect((await upload()).statusCode).toBe(200);
    const limited = await upload();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
  });
});
