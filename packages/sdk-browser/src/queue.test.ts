import { beforeEach, describe, expect, it } from 'vitest';
import { reply, TestEnv } from './env.fixture.js';
import { Queue, type QueueOptions } from './queue.js';
import { batchBody, postBatch, type Message } from './transport.js';

const key = 'attune:queue:wk_test';
const url = 'https://cdp.example/v1/batch';
const options: QueueOptions = {
  flushAt: 20,
  flushInterval: 200,
  maxQueued: 1000,
  retryBase: 500,
  retryMax: 30_000,
};

let env: TestEnv;
let settled: { ids: string[]; delivered: boolean }[];

function queue(overrides: Partial<QueueOptions> = {}) {
  return new Queue(
    {
      env,
      key,
      send: (batch) => postBatch(env, url, batchBody(batch, 'wk_test', 'now')),
      beacon: (batch) => env.beacon(url, batchBody(batch, 'wk_test', 'now')),
      settled: (ids, delivered) => settled.push({ ids, delivered }),
    },
    { ...options, ...overrides },
  );
}

let n = 0;
const message = (extra: Record<string, unknown> = {}): Message => ({
  type: 'track',
  event: 'Clicked',
  messageId: `m-${++n}`,
  ...extra,
});
const stored = () => JSON.parse(env.storage.get(key) ?? '[]') as Message[];

beforeEach(() => {
  env = new TestEnv();
  settled = [];
  n = 0;
});

describe('Queue', () => {
  it('sends after the flush interval, as one text/plain batch with the write key', async () => {
    const q = queue();
    q.push(message());
    q.push(message());
    await env.advance(199);
    expect(env.requests).toHaveLength(0);
    expect(stored()).toHaveLength(2);
    await env.advance(1);
    expect(env.requests).toHaveLength(1);
    const [request] = env.requests;
    expect(request).toMatchObject({ url, headers: { 'content-type': 'text/plain' } });
    expect(request!.json).toMatchObject({ writeKey: 'wk_test', sentAt: 'now' });
    expect(request!.json['batch']).toHaveLength(2);
    expect(env.storage.get(key)).toBeNull();
    expect(settled).toEqual([{ ids: ['m-1', 'm-2'], delivered: true }]);
  });

  it('sends at once when flushAt messages wait', async () => {
    const q = queue({ flushAt: 3 });
    for (let i = 0; i < 3; i++) q.push(message());
    await env.advance(0);
    expect(env.requests).toHaveLength(1);
    expect(env.sentMessages().map((m) => m['messageId'])).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('retries network errors, 5xx and 429 with growing, jittered delays, keeping the messages', async () => {
    const answers = [
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => reply(503, { code: 'storage_unavailable' }),
      () => reply(502),
      () => reply(200),
    ];
    env.responder = () => answers[env.requests.length - 1]!();
    const q = queue();
    q.push(message());
    await env.advance(200); // first attempt fails
    expect(env.requests).toHaveLength(1);
    expect(stored()).toHaveLength(1);
    // random() is 0.5: the delay is 3/4 of 500 · 2^attempt
    expect(env.pendingTimers()).toEqual([375]);
    await env.advance(375);
    expect(env.requests).toHaveLength(2);
    expect(env.pendingTimers()).toEqual([750]);
    // A message pushed while waiting for a retry waits with the others.
    q.push(message());
    expect(env.pendingTimers()).toEqual([750]);
    await env.advance(750);
    expect(env.pendingTimers()).toEqual([1500]);
    await env.advance(1500);
    expect(env.requests).toHaveLength(4);
    expect(env.requests[3]!.json['batch']).toHaveLength(2);
    expect(stored()).toEqual([]);
    expect(env.pendingTimers()).toEqual([]);
  });

  it('caps the backoff at retryMax', async () => {
    env.responder = () => reply(500);
    const q = queue({ retryMax: 4000 });
    q.push(message());
    await env.advance(200);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [delay] = env.pendingTimers();
      delays.push(delay!);
      await env.advance(delay!);
    }
    expect(delays).toEqual([375, 750, 1500, 3000, 3000, 3000]);
  });

  it('honours Retry-After on 429', async () => {
    env.responder = () => reply(429, { code: 'rate_limited' }, { 'retry-after': '7' });
    const q = queue();
    q.push(message());
    await env.advance(200);
    expect(env.pendingTimers()).toEqual([7000]);
  });

  it('drops a batch the server refuses with another 4xx, with a warning', async () => {
    env.responder = () =>
      reply(400, { code: 'batch_rejected', detail: '1 of 1 messages were rejected' });
    const q = queue();
    q.push(message());
    await env.advance(200);
    expect(stored()).toEqual([]);
    expect(env.pendingTimers()).toEqual([]);
    expect(env.warnings.join()).toContain('400 batch_rejected: 1 of 1 messages were rejected');
    expect(settled[0]?.delivered).toBe(false);
  });

  it('retries at once when the browser comes back online', async () => {
    env.responder = () => Promise.reject(new TypeError('offline'));
    const q = queue();
    q.push(message());
    await env.advance(200);
    await env.advance(375);
    expect(env.requests).toHaveLength(2);
    env.responder = () => reply(200);
    q.retryNow();
    await env.advance(0);
    expect(env.requests).toHaveLength(3);
    expect(stored()).toEqual([]);
  });

  it('survives a reload: a new queue on the same storage sends what was left', async () => {
    env.responder = () => Promise.reject(new TypeError('offline'));
    const first = queue();
    first.push(message({ event: 'Before reload' }));
    await env.advance(200);
    expect(stored()).toHaveLength(1);

    env.responder = () => reply(200);
    const second = queue();
    expect(second.read()).toHaveLength(1);
    await second.flush();
    expect(env.sentMessages()[env.sentMessages().length - 1]).toMatchObject({
      event: 'Before reload',
    });
    expect(stored()).toEqual([]);
  });

  it('keeps at most maxQueued messages, dropping the oldest with a warning', async () => {
    env.responder = () => Promise.reject(new TypeError('offline'));
    const q = queue({ maxQueued: 3 });
    const ids = [1, 2, 3, 4, 5].map(() => {
      const m = message();
      q.push(m);
      return m.messageId;
    });
    expect(stored().map((m) => m.messageId)).toEqual(ids.slice(2));
    expect(env.warnings.filter((w) => w.includes('queue full'))).toHaveLength(2);
    expect(settled.flatMap((s) => s.ids)).toEqual(ids.slice(0, 2));
  });

  it('sends large backlogs in batches under the size limit', async () => {
    const q = queue({ flushAt: 10_000, maxQueued: 10_000 });
    const padding = 'x'.repeat(10_000);
    for (let i = 0; i < 100; i++) q.push(message({ properties: { padding } })); // ~1 MB
    await q.flush();
    expect(env.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of env.requests) expect(request.body.length).toBeLessThan(500_000);
    expect(env.sentMessages()).toHaveLength(100);
  });

  it('hands the queue to sendBeacon in chunks under 64 KB when the page is hidden, and keeps it', () => {
    const q = queue({ flushAt: 10_000 });
    const padding = 'x'.repeat(10_000);
    for (let i = 0; i < 12; i++) q.push(message({ properties: { padding } }));
    q.pageHidden();
    expect(env.beacons.length).toBe(3);
    for (const beacon of env.beacons) expect(beacon.body.length).toBeLessThanOrEqual(60_000);
    const sent = env.beacons.flatMap((b) => (JSON.parse(b.body) as { batch: Message[] }).batch);
    expect(sent).toHaveLength(12);
    // At least once: they stay queued until a send is acknowledged.
    expect(stored()).toHaveLength(12);
  });

  it('beacons a message once, though leaving fires both visibilitychange and pagehide', () => {
    const q = queue();
    q.push(message());
    q.pageHidden();
    q.pageHidden();
    q.push(message());
    q.pageHidden();
    const beaconed = env.beacons.map((b) =>
      (JSON.parse(b.body) as { batch: Message[] }).batch.map((m) => m.messageId),
    );
    expect(beaconed).toEqual([['m-1'], ['m-2']]);
  });

  it('stops handing chunks over once sendBeacon refuses (its budget is spent)', () => {
    env.beaconAccepts = false;
    const q = queue();
    q.push(message());
    q.pageHidden();
    expect(env.beacons).toEqual([]);
    expect(stored()).toHaveLength(1);
  });
});
