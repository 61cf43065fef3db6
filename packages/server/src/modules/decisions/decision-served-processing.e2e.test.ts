import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, settle, startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

// Decision Served events are in the log for attribution, but profiles get them only while a
// segment (or computed trait) is defined on them: the processor skips them otherwise.
let t: TestApp;

const call = (method: string, url: string, payload?: object) =>
  callApi(t.app, method, url, payload, t.bearerAdmin);

const hero = {
  id: 'hero',
  name: 'Hero',
  rules: [
    {
      id: 'pro',
      condition: { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' },
      variant: { id: 'pro', payload: { headline: 'Welcome back' } },
    },
  ],
  fallback: { id: 'default', payload: { headline: 'Hello' } },
};

async function decide(visitor: { userId?: string; anonymousId?: string }) {
  const res = await callApi(
    t.app,
    'POST',
    '/v1/decide',
    { ...visitor, placements: ['hero'] },
    t.basicAuth,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Waits until the log holds `count` Decision Served events, then for the processor. */
async function servedLogged(count: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await call('GET', '/v1/events?limit=1000');
        return (res.body['events'] as { event?: string }[]).filter(
          (e) => e.event === 'Decision Served',
        ).length;
      },
      { timeout: 5000, interval: 20 },
    )
    .toBe(count);
  await settle(t.app);
}

const timelineOf = async (id: string) =>
  ((await call('GET', `/v1/profiles/${id}/events`)).body['events'] as { event?: string }[]).map(
    (e) => e.event,
  );

beforeAll(async () => {
  t = await startTestApp();
  expect((await call('POST', '/v1/placements', hero)).status).toBe(201);
  const res = await callApi(
    t.app,
    'POST',
    '/v1/batch',
    { batch: [{ type: 'identify', userId: 'kim', traits: { plan: 'pro' } }] },
    t.basicAuth,
  );
  expect(res.status).toBe(200);
  await settle(t.app);
});
afterAll(async () => t.close());

describe('Decision Served and profiles', () => {
  it('logs decisions without touching profiles while nothing is defined on them', async () => {
    await decide({ userId: 'kim' });
    await decide({ anonymousId: 'passer-by' });
    await servedLogged(2);

    expect(await timelineOf('user_id:kim')).toEqual([null]);
    const kim = await call('GET', '/v1/profiles/user_id:kim');
    expect(JSON.stringify(kim.body)).not.toContain('Decision Served');
    // A visitor the decide did not know gets no profile from its own decisions.
    expect((await call('GET', '/v1/profiles/anonymous_id:passer-by')).status).toBe(404);
  });

  it('applies them once a segment is defined on them', async () => {
    const created = await call('POST', '/v1/segments', {
      id: 'served-twice',
      name: 'Served twice',
      condition: { type: 'event', event: 'Decision Served', count: { op: 'at_least', value: 2 } },
    });
    expect(created.status).toBe(201);
    await expect
      .poll(async () => (await call('GET', '/v1/segments/served-twice')).body['status'], {
        timeout: 5000,
      })
      .toMatchObject({ state: 'ready' });

    await decide({ userId: 'lou' });
    await decide({ userId: 'lou' });
    await servedLogged(4);
    await expect
      .poll(async () => {
        await settle(t.app);
        return JSON.stringify((await call('GET', '/v1/profiles/user_id:lou/segments')).body);
      })
      .toContain('served-twice');
    expect(await timelineOf('user_id:lou')).toEqual(['Decision Served', 'Decision Served']);
  });
});
