import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, settle as settleApp } from '../../testing/test-app.fixture.js';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const settle = () => settleApp(t.app);

async function call(method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) {
  const res = await t.app.http.inject({
    method,
    url,
    headers: { authorization: url.startsWith('/v1/batch') ? t.basicAuth : t.bearerAdmin },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

describe('journey map', () => {
  it('reports stage populations and transitions, and announces Stage Entered events', async () => {
    t = await startTestApp();
    // No map until one is set: no stages are kept.
    expect((await call('GET', '/v1/journey-map/definition')).body).toEqual({
      version: 0,
      stages: [],
      updatedAt: null,
    });
    const definition = await call('PUT', '/v1/journey-map/definition', { template: 'ecommerce' });
    expect(definition.body).toMatchObject({ version: 1 });
    expect((definition.body['stages'] as { name: string }[]).map((s) => s.name)).toEqual([
      'awareness',
      'consideration',
      'purchase',
      'retention',
      'advocacy',
    ]);
    await settle();
    const now = new Date().toISOString();
    await call('POST', '/v1/batch', {
      batch: [
        { type: 'track', userId: 'ann', event: 'Product Added', timestamp: now },
        { type: 'track', userId: 'ann', event: 'Order Completed', timestamp: now },
        { type: 'track', userId: 'bob', event: 'Product Added', timestamp: now },
        { type: 'page', userId: 'cy', name: 'Home', timestamp: now },
      ],
    });
    await settle();
    const report = await call('GET', '/v1/journey-map');
    expect(report.status).toBe(200);
    const stages = report.body['stages'] as { name: string; population: number; entered: number }[];
    expect(Object.fromEntries(stages.map((s) => [s.name, s.population]))).toEqual({
      awareness: 1,
      consideration: 1,
      purchase: 1,
      retention: 0,
      advocacy: 0,
    });
    expect(report.body['transitions']).toEqual(
      expect.arrayContaining([
        { from: null, to: 'awareness', count: 1 },
        { from: null, to: 'consideration', count: 2 },
        { from: 'consideration', to: 'purchase', count: 1 },
      ]),
    );
    await expect
      .poll(
        async () => {
          await settle();
          const events = await call('GET', '/v1/events?source=attune&limit=100');
          return (events.body['events'] as { event: string }[]).filter(
            (e) => e.event === 'Stage Entered',
          ).length;
        },
        { timeout: 5000 },
      )
      .toBe(4);
  });

  it('replaces the map with a new version and re-evaluates stages; bad maps get the field', async () => {
    t = await startTestApp();
    await call('POST', '/v1/batch', {
      batch: [
        { type: 'track', userId: 'ann', event: 'Signed Up', timestamp: new Date().toISOString() },
      ],
    });
    await settle();
    const bad = await call('PUT', '/v1/journey-map/definition', {
      stages: [
        { name: 'lead', condition: { type: 'event', event: 'Signed Up' } },
        {
          name: 'customer',
          condition: { type: 'event', event: 'X', count: { op: 'most', value: 1 } },
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'invalid_condition',
      field: '/stages/1/condition/count/op',
    });
    const self = await call('PUT', '/v1/journey-map/definition', {
      stages: [{ name: 'lead', condition: { type: 'stage', op: 'eq', value: 'lead' } }],
    });
    expect(self.body).toMatchObject({ code: 'invalid_condition', field: '/stages/0/condition' });

    const put = await call('PUT', '/v1/journey-map/definition', {
      stages: [
        { name: 'visitor', condition: { type: 'computed', path: 'eventCounts', op: 'exists' } },
        { name: 'lead', condition: { type: 'event', event: 'Signed Up' } },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 1 });
    // The processor picks the new map up on its next pass (an idle tick) and backfills it.
    await expect
      .poll(
        async () => {
          await settle();
          const report = await call('GET', '/v1/journey-map');
          return (report.body['stages'] as { name: string; population: number }[]).map((s) => [
            s.name,
            s.population,
          ]);
        },
        { timeout: 5000 },
      )
      .toEqual([
        ['visitor', 0],
        ['lead', 1],
      ]);
  });
});
