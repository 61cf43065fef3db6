import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  callApi,
  startTestApp,
  testWriteKey,
  type TestApp,
} from '../../testing/test-app.fixture.js';

let t: TestApp;
let base: string;

const call = (method: string, url: string, payload?: object, authorization?: string) =>
  callApi(t.app, method, url, payload, authorization ?? t.bearerAdmin);

const track = (who: object, event: string, properties: object = {}) =>
  call(
    'POST',
    '/v1/batch',
    { batch: [{ type: 'track', event, properties, timestamp: new Date().toISOString(), ...who }] },
    t.basicAuth,
  );

interface Message {
  type: string;
  decisions?: { placement: string; variantId: string; ruleId: string | null }[];
  code?: string;
  field?: string;
}

/** A page's connection: every message it got, and a way to wait for the next ones. */
async function connect(query: string) {
  const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/live?${query}`);
  const messages: Message[] = [];
  let closed: number | null = null;
  socket.on('message', (data: Buffer) =>
    messages.push(JSON.parse(data.toString('utf8')) as Message),
  );
  socket.on('close', (code) => (closed = code));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = async (count: number) => {
    await expect.poll(() => messages.length, { timeout: 5000 }).toBeGreaterThanOrEqual(count);
    return messages[count - 1] as Message;
  };
  return { socket, messages, next, closed: () => closed };
}

beforeAll(async () => {
  t = await startTestApp();
  base = await t.app.http.listen({ host: '127.0.0.1', port: 0 });
  const segment = await call('POST', '/v1/segments', {
    id: 'cart-abandoners',
    name: 'Added to cart',
    condition: { type: 'event', event: 'Product Added' },
  });
  expect(segment.status).toBe(201);
  const placement = await call('POST', '/v1/placements', {
    id: 'home_hero',
    name: 'Home hero',
    rules: [
      {
        id: 'cart-reminder',
        condition: { type: 'segment', segment: 'cart-abandoners' },
        variant: { id: 'reminder', payload: { text: 'Your cart misses you' } },
      },
    ],
    fallback: { id: 'default' },
  });
  expect(placement.status).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('GET /v1/live', () => {
  it('pushes a new decision when the visitor enters a segment, without a reload', async () => {
    const page = await connect(`writeKey=${testWriteKey}&anonymousId=anon-live-1`);
    page.socket.send(JSON.stringify({ type: 'subscribe', placements: ['home_hero'] }));
    expect(await page.next(1)).toMatchObject({
      type: 'decisions',
      decisions: [{ placement: 'home_hero', variantId: 'default', ruleId: null }],
    });
    // Another visitor's event changes nothing for this page.
    await track({ anonymousId: 'someone-else' }, 'Product Added');
    expect((await track({ anonymousId: 'anon-live-1' }, 'Product Viewed')).status).toBe(200);
    expect((await track({ anonymousId: 'anon-live-1' }, 'Product Added')).status).toBe(200);
    expect(await page.next(2)).toMatchObject({
      type: 'decisions',
      decisions: [{ placement: 'home_hero', variantId: 'reminder', ruleId: 'cart-reminder' }],
    });
    // Nothing else changed for it: no more pushes.
    await track({ anonymousId: 'anon-live-1' }, 'Product Viewed');
    await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
    expect(page.messages).toHaveLength(2);
    page.socket.close();
  });

  it('answers a plain HTTP request with a problem, 426', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: `/v1/live?writeKey=${testWriteKey}`,
    });
    expect(res.statusCode).toBe(426);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'upgrade_required' });
  });

  it('refuses a missing or wrong write key, missing ids and bad messages, saying why', async () => {
    const noKey = await connect('anonymousId=a');
    await expect.poll(() => noKey.closed(), { timeout: 5000 }).toBe(4401);
    expect(noKey.messages[0]).toMatchObject({ type: 'error', code: 'missing_write_key' });
    const wrong = await connect('writeKey=wk_nope&anonymousId=a');
    await expect.poll(() => wrong.closed(), { timeout: 5000 }).toBe(4401);
    expect(wrong.messages[0]).toMatchObject({ code: 'invalid_write_key' });
    const nobody = await connect(`writeKey=${testWriteKey}`);
    await expect.poll(() => nobody.closed(), { timeout: 5000 }).toBe(4400);
    expect(nobody.messages[0]).toMatchObject({ code: 'missing_identity' });

    const page = await connect(`writeKey=${testWriteKey}&anonymousId=anon-live-2`);
    page.socket.send('not json');
    expect(await page.next(1)).toMatchObject({ type: 'error', code: 'invalid_json' });
    page.socket.send(JSON.stringify({ type: 'subscribe', placements: [] }));
    expect(await page.next(2)).toMatchObject({ code: 'invalid_request', field: '/placements' });
    page.socket.send(JSON.stringify({ type: 'subscribe', placements: ['home_hero', 'nope'] }));
    expect(await page.next(3)).toMatchObject({
      code: 'unknown_placement',
      field: '/placements/1',
    });
    // The connection stays usable after a bad message.
    page.socket.send(JSON.stringify({ type: 'subscribe', placements: ['home_hero'] }));
    expect(await page.next(4)).toMatchObject({ type: 'decisions' });
    page.socket.close();
  });
});
