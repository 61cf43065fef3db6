import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const upload = (body: string | Buffer, headers: Record<string, string> = {}, app: TestApp = t) =>
  app.app.http.inject({
    method: 'POST',
    url: '/v1/import',
    headers: {
      authorization: app.basicAuth,
      'content-type': 'application/x-ndjson',
      ...headers,
    },
    payload: body,
  });

const lines = (...messages: unknown[]) =>
  messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('\n');

async function eventsOfUser(userId: string): Promise<{ messageId: string; message: unknown }[]> {
  const res = await t.app.http.inject({
    method: 'GET',
    url: `/v1/events?userId=${encodeURIComponent(userId)}&limit=1000`,
    headers: { authorization: t.bearerAdmin },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ events: { messageId: string; message: unknown }[] }>().events;
}

describe('POST /v1/import with JSONL', () => {
  const file = lines(
    { type: 'identify', userId: 'jl-1', traits: { plan: 'pro' }, messageId: 'jl-m1' },
    '',
    { type: 'track', userId: 'jl-1', event: 'Order Completed', properties: { revenue: 9 } },
    '   ',
    { type: 'page', userId: 'jl-1', name: 'Home', timestamp: '2026-11-01T10:00:00Z' },
  );

  it('stores one message per line, skipping blank lines', async () => {
    const res = await upload(`${file}\n`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      success: true,
      accepted: 3,
      duplicates: 0,
      dropped: 0,
      rejected: [],
      rejectedCount: 0,
    });
    const stored = await eventsOfUser('jl-1');
    expect(stored).toHaveLength(3);
    expect(stored[0]).toMatchObject({ messageId: 'jl-m1' });
    // A line without messageId gets one derived from its text, stored with the message.
    expect(stored[1]!.messageId).toMatch(/^imp-[0-9a-f]{32}$/);
    expect(stored[1]!.message).toMatchObject({ messageId: stored[1]!.messageId });
  });

  it('adds nothing when the same file is uploaded again', async () => {
    const res = await upload(file);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await eventsOfUser('jl-1')).toHaveLength(3);
  });

  it('rejects bad lines by number and stores the others', async () => {
    const res = await upload(
      lines(
        { type: 'track', userId: 'jl-2', event: 'A' },
        '{"type":"track", oops',
        { type: 'track', userId: 'jl-2', event: 'B' },
        '',
        { userId: 'jl-2', event: 'C' },
        '42',
        { type: 'track', userId: 'jl-2', event: 'D', timestamp: 'soon' },
      ),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'batch_rejected',
      field: '/line/2',
      accepted: 2,
      duplicates: 0,
      rejectedCount: 4,
      rejected: [
        { line: 2, code: 'invalid_json', field: '/line/2' },
        { line: 5, code: 'missing_field', field: '/line/5/type' },
        { line: 6, code: 'invalid_message', field: '/line/6' },
        { line: 7, code: 'invalid_timestamp', field: '/line/7/timestamp' },
      ],
    });
    expect((await eventsOfUser('jl-2')).map((e) => (e.message as { event: string }).event)).toEqual(
      ['A', 'B'],
    );
  });

  it('takes gzip, application/jsonl, and more than a batch holds (in chunks)', async () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({
      type: 'track',
      userId: 'jl-3',
      event: 'Viewed',
      properties: { i, padding: 'x'.repeat(60) },
    }));
    const body = gzipSync(lines(...many));
    const res = await upload(body, {
      'content-encoding': 'gzip',
      'content-type': 'application/jsonl; charset=utf-8',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 6000, duplicates: 0 });
    expect(await eventsOfUser('jl-3')).toHaveLength(1000);
    const again = await upload(body, { 'content-encoding': 'gzip' });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 6000 });
  });

  it('needs a write key in the header', async () => {
    const res = await upload(lines({ type: 'track', userId: 'u', event: 'X' }), {
      authorization: '',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'missing_write_key' });
  });

  it('keeps the batch limit for a JSON body', async () => {
    const batch = Array.from({ length: 2000 }, () => ({
      type: 'track',
      userId: 'u',
      event: 'X',
      properties: { p: 'y'.repeat(300) },
    }));
    const res = await upload(JSON.stringify({ batch }), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('refuses an upload over the configured limit', async () => {
    const small = await startTestApp({ ATTUNE_IMPORT_MAX_BYTES: '600000' });
    try {
      const big = lines(
        ...Array.from({ length: 5000 }, () => ({
          type: 'track',
          userId: 'u',
          event: 'X',
          properties: { p: 'z'.repeat(100) },
        })),
      );
      const res = await upload(big, {}, small);
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'payload_too_large' });
    } finally {
      await small.close();
    }
  });

  it('counts imported lines in the quality report (the keyless upload counts under unknown)', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/v1/quality?source=default',
      headers: { authorization: t.bearerAdmin },
    });
    expect(res.json()).toMatchObject({
      totals: { accepted: 6005, deduplicated: 6003, rejected: 4 },
    });
  });
});
