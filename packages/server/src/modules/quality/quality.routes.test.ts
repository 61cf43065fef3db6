import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const hour = 3_600_000;
const start = Date.UTC(2026, 10, 23, 10, 15);
const clock = new ManualClock(start);
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({}, { clock });
});
afterAll(async () => t.close());

const admin = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.http.inject({
    method,
    url,
    headers: { authorization: t.bearerAdmin },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const send = (url: string, payload: unknown, authorization = t.basicAuth) =>
  t.app.http.inject({
    method: 'POST',
    url,
    headers: { authorization },
    payload: payload as object,
  });

const planUrl = '/v1/sources/default/tracking-plan';
const plan = {
  mode: 'flag',
  events: {
    'Order Completed': {
      type: 'object',
      required: ['revenue'],
      properties: { revenue: { type: 'number' }, currency: { type: 'string' } },
    },
  },
  identifyTraits: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
};
const order = (revenue: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  userId: 'u1',
  event: 'Order Completed',
  properties: revenue === undefined ? {} : { revenue },
  ...extra,
});

interface Report {
  from: string;
  to: string;
  totals: Record<string, number>;
  bySource: { source: string; [k: string]: unknown }[];
  byEvent: { source: string; type: string | null; event: string | null; [k: string]: unknown }[];
  byReason: { outcome: string; reason: string; count: number }[];
  fields: Record<string, unknown>[];
  identity: { conflicts: number; conflictsByReason: unknown[]; invalidIdentifiers: number };
}
const report = async (query = ''): Promise<Report> => {
  const res = await admin('GET', `/v1/quality${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Report>();
};

describe('tracking plans', () => {
  it('stores a plan per source, versioned, and reads it back', async () => {
    const put = await admin('PUT', planUrl, plan);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ sourceId: 'default', mode: 'flag', version: 1 });
    const again = await admin('PUT', planUrl, plan);
    expect(again.json()).toMatchObject({ version: 2 });
    const got = await admin('GET', planUrl);
    expect(got.json()).toEqual({
      sourceId: 'default',
      ...plan,
      version: 2,
      updatedAt: new Date(start).toISOString(),
    });
  });

  it.each([
    [
      'a schema Ajv cannot compile',
      { mode: 'flag', events: { ok: {}, 'Order Completed': { type: 'object', requried: ['x'] } } },
      'invalid_tracking_plan',
      '/events/Order Completed',
    ],
    [
      'a bad identify schema',
      { mode: 'flag', events: {}, identifyTraits: { properties: { email: { format: 'mail' } } } },
      'invalid_tracking_plan',
      '/identifyTraits',
    ],
    ['an unknown mode', { mode: 'warn', events: {} }, 'invalid_request', undefined],
    [
      'a schema that is not an object',
      { mode: 'flag', events: { X: 'number' } },
      'invalid_request',
      undefined,
    ],
  ])('refuses %s with 400', async (_name, body, code, field) => {
    const res = await admin('PUT', planUrl, body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code });
    if (field !== undefined) expect(res.json<{ field: string }>().field).toBe(field);
  });

  it('answers 404 for an unknown source and requires a secret key', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await admin(
        method,
        '/v1/sources/nope/tracking-plan',
        method === 'PUT' ? plan : undefined,
      );
      expect(res.statusCode, method).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    }
    const res = await t.app.http.inject({
      method: 'GET',
      url: planUrl,
      headers: { authorization: t.basicAuth },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('checking messages against the plan', () => {
  it('flag mode stores violating messages unchanged and counts them', async () => {
    const before = await t.app.eventLog.lastOffset();
    const res = await send('/v1/batch', {
      batch: [
        order(30, { messageId: 'o-1' }),
        order('30'),
        order(undefined),
        { type: 'track', userId: 'u1', event: 'Signed Up' },
        { type: 'identify', userId: 'u1', traits: { email: 'not-an-email' } },
        order(30, { messageId: 'o-1' }),
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const stored = await t.app.eventLog.read(before, 100);
    expect(stored).toHaveLength(5);
    expect(JSON.parse(stored[1]!.message)).toMatchObject({ properties: { revenue: '30' } });
    const metrics = await t.app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('attune_events_flagged_total{source="default"} 3');
  });

  it('reject mode refuses the violating item of a batch with its pointer, storing the rest', async () => {
    expect((await admin('PUT', planUrl, { ...plan, mode: 'reject' })).statusCode).toBe(200);
    const before = await t.app.eventLog.lastOffset();
    const res = await send('/v1/batch', {
      batch: [order(5), order('five'), order(7)],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'batch_rejected',
      accepted: 2,
      field: '/batch/1/properties/revenue',
      rejected: [
        { index: 1, code: 'tracking_plan_violation', field: '/batch/1/properties/revenue' },
      ],
    });
    expect(await t.app.eventLog.lastOffset()).toBe(before + 2);

    const single = await send('/v1/track', { userId: 'u1', event: 'Order Completed' });
    expect(single.statusCode).toBe(400);
    expect(single.json()).toMatchObject({
      code: 'tracking_plan_violation',
      field: '/properties/revenue',
    });
    expect(single.json<{ detail: string }>().detail).toMatch(/Order Completed/);
  });

  it('deleting the plan stops the checks', async () => {
    expect((await admin('DELETE', planUrl)).statusCode).toBe(204);
    expect((await admin('GET', planUrl)).statusCode).toBe(404);
    expect((await admin('DELETE', planUrl)).statusCode).toBe(404);
    expect((await send('/v1/track', { userId: 'u1', event: 'Order Completed' })).statusCode).toBe(
      200,
    );
  });
});

describe('GET /v1/quality', () => {
  it('reports accepted, flagged, rejected and deduplicated messages by source, event and reason', async () => {
    const badKey = `Basic ${Buffer.from('wk_unknown_key:').toString('base64')}`;
    expect((await send('/v1/track', { userId: 'u', event: 'X' }, badKey)).statusCode).toBe(401);
    expect((await send('/v1/batch', { batch: [{ type: 'track', userId: 'u' }] })).statusCode).toBe(
      400,
    );

    const r = await report();
    expect(r.from).toBe('2026-11-22T10:00:00.000Z');
    expect(r.to).toBe('2026-11-23T11:00:00.000Z');
    // flag batch: 1 conforms + 2 flagged orders, 1 unplanned, 1 flagged identify, 1 duplicate;
    // reject batch: 2 conforms, 1 rejected; 1 rejected single track; 1 after the delete;
    // 1 bad key, 1 missing event.
    expect(r.totals).toEqual({ accepted: 5, flagged: 3, rejected: 4, deduplicated: 1, dropped: 0 });
    expect(r.bySource.map((s) => s.source)).toEqual(['default', 'unknown']);
    expect(r.byEvent.find((e) => e.event === 'Order Completed')).toEqual({
      source: 'default',
      type: 'track',
      event: 'Order Completed',
      accepted: 4,
      flagged: 2,
      rejected: 2,
      deduplicated: 1,
      dropped: 0,
    });
    expect(r.byReason).toEqual(
      expect.arrayContaining([
        { outcome: 'accepted', reason: 'conforms', count: 3 },
        { outcome: 'accepted', reason: 'unplanned', count: 1 },
        { outcome: 'accepted', reason: '', count: 1 },
        { outcome: 'flagged', reason: 'tracking_plan_violation', count: 3 },
        { outcome: 'rejected', reason: 'tracking_plan_violation', count: 2 },
        { outcome: 'rejected', reason: 'invalid_write_key', count: 1 },
        { outcome: 'rejected', reason: 'missing_field', count: 1 },
        { outcome: 'deduplicated', reason: '', count: 1 },
      ]),
    );
    expect(r.byReason).toHaveLength(8);
  });

  it('gives per-field missing and invalid counts with rates among checked messages', async () => {
    const r = await report('?source=default');
    expect(r.bySource.map((s) => s.source)).toEqual(['default']);
    // Order Completed checked 7 times: 3 conforming, 2 flagged, 2 rejected.
    expect(r.fields).toEqual(
      expect.arrayContaining([
        {
          source: 'default',
          type: 'track',
          event: 'Order Completed',
          field: '/properties/revenue',
          checked: 7,
          missing: 2,
          invalid: 2,
          missingRate: 0.2857,
          invalidRate: 0.2857,
        },
        {
          source: 'default',
          type: 'identify',
          event: null,
          field: '/traits/email',
          checked: 1,
          missing: 0,
          invalid: 1,
          missingRate: 0,
          invalidRate: 1,
        },
      ]),
    );
    expect(r.fields).toHaveLength(2);
  });

  it('counts only the hours in the range', async () => {
    clock.advance(3 * hour);
    expect((await send('/v1/track', { userId: 'u2', event: 'Later' })).statusCode).toBe(200);
    const later = await report(`?from=${encodeURIComponent('2026-11-23T13:00:00Z')}`);
    expect(later.totals).toMatchObject({ accepted: 1, rejected: 0, flagged: 0 });
    const earlier = await report(`?from=${start - hour}&to=${start + hour}`);
    expect(earlier.totals).toMatchObject({ accepted: 5, flagged: 3 });
    expect((await report()).totals.accepted).toBe(6);
  });

  it('counts identity conflicts by the time of their event', async () => {
    await send('/v1/batch', {
      batch: [
        { type: 'identify', anonymousId: 'shared-phone', userId: 'ann' },
        { type: 'identify', anonymousId: 'shared-phone', userId: 'bob' },
      ],
    });
    await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
    const r = await report();
    expect(r.identity).toEqual({
      conflicts: 1,
      conflictsByReason: [{ reason: 'limit:user_id', count: 1 }],
      // An earlier test's identify carried a malformed email: a trait, not an identifier.
      invalidIdentifiers: 1,
      invalidIdentifiersByType: [{ type: 'email', reason: 'invalid_email', count: 1 }],
    });
    expect((await report(`?to=${start}`)).identity.conflicts).toBe(0);
  });

  it.each([
    ['?from=yesterday', '/from'],
    ['?to=2026-13-01T00:00:00Z', '/to'],
    ['?from=2026-11-23T12:00:00Z&to=2026-11-23T11:00:00Z', '/from'],
  ])('refuses %s with 400 naming the field', async (query, field) => {
    const res = await admin('GET', `/v1/quality${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', field });
  });

  it('requires a secret key', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/v1/quality',
      headers: { authorization: t.basicAuth },
    });
    expect(res.statusCode).toBe(401);
  });
});
