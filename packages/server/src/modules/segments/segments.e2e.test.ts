import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, settle as settleApp } from '../../testing/test-app.fixture.js';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const settle = () => settleApp(t.app);

async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  const auth = url.startsWith('/v1/batch') ? t.basicAuth : t.bearerAdmin;
  const res = await t.app.http.inject({
    method,
    url,
    headers: { authorization: auth },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

describe('segments end to end', () => {
  it('backfills a new segment, keeps it live, and announces entries as log events', async () => {
    t = await startTestApp();
    const now = new Date().toISOString();
    await call('POST', '/v1/batch', {
      batch: [
        {
          type: 'track',
          userId: 'ann',
          event: 'Order Completed',
          properties: { revenue: 120 },
          timestamp: now,
        },
        { type: 'track', userId: 'bob', event: 'Product Viewed', timestamp: now },
      ],
    });
    await settle();
    const created = await call('POST', '/v1/segments', {
      id: 'buyers',
      name: 'Buyers',
      condition: { type: 'event', event: 'Order Completed' },
    });
    expect(created.status).toBe(201);
    // The processor backfills it on its next pass; an event (or its idle tick) triggers one.
    await call('POST', '/v1/batch', {
      batch: [{ type: 'track', userId: 'cy', event: 'Order Completed', timestamp: now }],
    });
    await settle();
    await expect
      .poll(async () => (await call('GET', '/v1/segments/buyers')).body['status'], {
        timeout: 5000,
      })
      .toMatchObject({ state: 'ready', size: 2 });

    const members = await call('GET', '/v1/segments/buyers/members');
    expect(members.status).toBe(200);
    expect((members.body['members'] as unknown[]).length).toBe(2);
    const ann = await call('GET', '/v1/profiles/user_id:ann/segments');
    expect(JSON.stringify(ann.body)).toContain('buyers');

    await expect
      .poll(
        async () => {
          await settle();
          const events = await call('GET', '/v1/events?source=attune&limit=100');
          return (events.body['events'] as { event: string }[])
            .filter((e) => e.event === 'Segment Entered')
            .map((e) => e.event);
        },
        { timeout: 5000 },
      )
      .toEqual(['Segment Entered', 'Segment Entered']);
    // Announced once: settling again adds none.
    await settle();
    const again = await call('GET', '/v1/events?source=attune&limit=100');
    expect(
      (again.body['events'] as { event: string }[]).filter((e) => e.event === 'Segment Entered'),
    ).toHaveLength(2);
  });
});
