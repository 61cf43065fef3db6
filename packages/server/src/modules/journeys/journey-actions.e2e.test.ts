import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../testing/http-receiver.js';
import { startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { settle } from '../../testing/test-app.fixture.js';
import { webhookSignature } from './journey-actions.js';
import { startJourneyTestApp, type JourneyTestApp } from './journey-test.fixture.js';

// Webhooks, caps across journeys, splits, branches and the actions that write events,
// against a real SMTP server and a real HTTP receiver; time moved by hand.
const secret = 'whsec_test_0123456789abcdef';
let j: JourneyTestApp;
let sink: SmtpSink;
let receiver: HttpReceiver;

const call = (method: string, url: string, payload?: object) => j.call(method, url, payload);
const send = (batch: object[]) => j.send(batch);
const advance = (ms: number) => j.advance(ms);
const define = (journey: object) => j.define(journey);
const stepStats = async (journey: string, step: string) => (await j.steps(journey))[step]!;

const promo = (id: string, event: string) => ({
  id,
  name: id,
  entry: { event },
  start: 'mail',
  steps: {
    mail: {
      type: 'action',
      action: {
        type: 'email',
        purpose: 'analytics',
        subject: `${id} for {{ traits.name }}`,
        text: 'Hi',
      },
    },
  },
  reentry: { policy: 'always' },
  caps: [{ channel: 'email', max: 1, per: { amount: 1, unit: 'days' } }],
});

beforeAll(async () => {
  sink = await startSmtpSink();
  receiver = await startHttpReceiver();
  j = await startJourneyTestApp('2026-11-24T12:00:00Z', {
    ATTUNE_SMTP_HOST: sink.host,
    ATTUNE_SMTP_PORT: String(sink.port),
    ATTUNE_WEBHOOK_SECRET: secret,
    ATTUNE_JOURNEY_RETRY_BASE_MS: '1000',
  });
});
afterAll(async () => {
  await j?.t.close();
  await receiver?.close();
  await sink?.close();
});

describe('journey actions', () => {
  it('holds a cap across two journeys: one email a day, whichever journey sends first', async () => {
    await define(promo('promo-a', 'Promo A'));
    await define(promo('promo-b', 'Promo B'));
    await send([
      { type: 'identify', userId: 'fay', traits: { email: 'fay@example.com', name: 'Fay' } },
    ]);
    await send([{ type: 'track', userId: 'fay', event: 'Promo A' }]);
    await send([{ type: 'track', userId: 'fay', event: 'Promo B' }]);
    await sink.waitFor(1);
    expect(sink.messages.map((m) => m.subject)).toEqual(['promo-a for Fay']);
    expect(await stepStats('promo-b', 'mail')).toMatchObject({ sent: 0, suppressedCap: 1 });
    // A day later the cap has room again.
    await advance(24 * 3_600_000 + 1);
    await send([{ type: 'track', userId: 'fay', event: 'Promo B' }]);
    await sink.waitFor(2);
    expect(sink.messages.map((m) => m.subject)).toEqual(['promo-a for Fay', 'promo-b for Fay']);
  });

  it('signs webhooks, retries failures with backoff under one idempotency key, then dead-letters', async () => {
    await define({
      id: 'hook',
      name: 'Hook',
      entry: { event: 'Signed Up' },
      start: 'call',
      steps: {
        call: {
          type: 'action',
          action: {
            type: 'webhook',
            url: `${receiver.url}/crm`,
            retries: 2,
            data: { list: 'new' },
          },
          next: 'after',
        },
        after: {
          type: 'action',
          action: { type: 'update_traits', traits: { crmSynced: 'tried' } },
        },
      },
    });
    receiver.respondWith([500, 503, 500]);
    await send([{ type: 'identify', userId: 'gus', traits: { name: 'Gus' } }]);
    await send([{ type: 'track', userId: 'gus', event: 'Signed Up', properties: { plan: 'pro' } }]);
    expect(receiver.requests).toHaveLength(1);
    await advance(999);
    expect(receiver.requests).toHaveLength(1);
    await advance(1); // first retry after 1 s
    expect(receiver.requests).toHaveLength(2);
    await advance(2000); // second after 2 s more
    expect(receiver.requests).toHaveLength(3);
    await advance(3_600_000);
    expect(receiver.requests).toHaveLength(3);

    const keys = new Set(receiver.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    for (const request of receiver.requests) {
      const timestamp = Number(request.headers['x-attune-timestamp']);
      expect(request.headers['x-attune-signature']).toBe(
        webhookSignature(secret, timestamp, request.body),
      );
    }
    const body = JSON.parse(receiver.requests[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      journey: { id: 'hook', version: 1 },
      step: 'call',
      profile: { traits: { name: 'Gus' } },
      event: { event: 'Signed Up', properties: { plan: 'pro' } },
      data: { list: 'new' },
    });
    expect(await stepStats('hook', 'call')).toMatchObject({ sent: 0, failed: 1, deadLettered: 1 });
    const dead = await call('GET', '/v1/journeys/hook/dead-letters');
    expect(dead.body['deadLetters']).toEqual([
      expect.objectContaining({
        step: 'call',
        url: `${receiver.url}/crm`,
        attempts: 3,
        lastError: 'HTTP 500',
      }),
    ]);
    // The journey went on after the dead letter: the trait update reached the profile.
    await settle(j.t.app);
    const profile = await call('GET', '/v1/profiles/user_id:gus');
    expect(profile.body['traits']).toMatchObject({ crmSynced: 'tried' });
  });

  it('delivers on the first 2xx and moves on', async () => {
    receiver.respondWith([200]);
    const before = receiver.requests.length;
    await send([{ type: 'identify', userId: 'hal', traits: { name: 'Hal' } }]);
    await send([{ type: 'track', userId: 'hal', event: 'Signed Up' }]);
    expect(receiver.requests.length).toBe(before + 1);
    expect(await stepStats('hook', 'call')).toMatchObject({ sent: 1, deadLettered: 1 });
  });

  it('splits by profile, branches on traits, and track_event logs an event', async () => {
    const welcomed = (as: string) => ({
      type: 'action',
      action: { type: 'track_event', event: 'Welcomed', properties: { as } },
    });
    await define({
      id: 'welcome',
      name: 'Welcome',
      entry: { event: 'Welcome' },
      start: 'split',
      steps: {
        split: {
          type: 'split',
          paths: [
            { percent: 50, next: 'left' },
            { percent: 50, next: 'right' },
          ],
        },
        left: {
          type: 'branch',
          branches: [
            { condition: { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }, next: 'pro' },
          ],
          otherwise: 'free',
        },
        right: welcomed('right'),
        pro: welcomed('pro'),
        free: welcomed('free'),
      },
    });
    const people = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const plan = (i: number) => (i % 4 === 0 ? 'pro' : 'free');
    await send(
      people.map((userId, i) => ({ type: 'identify', userId, traits: { plan: plan(i) } })),
    );
    await send(people.map((userId) => ({ type: 'track', userId, event: 'Welcome' })));
    await settle(j.t.app);
    const res = await call('GET', '/v1/journeys/welcome/stats');
    const steps = res.body['steps'] as Record<string, Record<string, number>>;
    const left = steps['left']!['entered']!;
    expect(left + steps['right']!['entered']!).toBe(40);
    expect(left).toBeGreaterThanOrEqual(8); // 50/50 of 40: outside 8–32 about once in 10^5
    expect(left).toBeLessThanOrEqual(32);
    expect(steps['pro']!['entered']! + steps['free']!['entered']!).toBe(left);
    for (const [i, userId] of people.entries()) {
      const events = await call('GET', `/v1/profiles/user_id:${userId}/events`);
      const as = (
        events.body['events'] as { event: string; message: { properties: { as: string } } }[]
      )
        .filter((e) => e.event === 'Welcomed')
        .map((e) => e.message.properties.as);
      expect(as.length, userId).toBe(1);
      if (as[0] !== 'right') expect(as[0], userId).toBe(plan(i));
    }
  });
});
