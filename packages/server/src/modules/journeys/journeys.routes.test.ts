import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

// Definitions through the admin API: what is refused (problem+json with the field at fault)
// and how versions and deletion behave. No SMTP server and no webhook secret configured.
let t: TestApp;

const call = (method: string, url: string, payload?: object) =>
  callApi(t.app, method, url, payload, t.bearerAdmin);

const valid = {
  id: 'nudge',
  name: 'Nudge',
  entry: { event: 'Product Viewed' },
  start: 'wait',
  steps: {
    wait: { type: 'wait', duration: { amount: 2, unit: 'hours' }, next: 'tag' },
    tag: { type: 'action', action: { type: 'update_traits', traits: { nudged: true } } },
  },
};

const withSteps = (steps: object, extra: object = {}) => ({
  ...valid,
  id: 'broken',
  steps: { ...valid.steps, ...steps },
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe('journey definitions', () => {
  it('creates, versions, lists and deletes', async () => {
    const created = await call('POST', '/v1/journeys', valid);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: 'nudge', version: 1 });
    expect((await call('POST', '/v1/journeys', valid)).body).toMatchObject({
      status: 409,
      code: 'conflict',
    });
    const updated = await call('PUT', '/v1/journeys/nudge', { ...valid, name: 'Nudge 2' });
    expect(updated.body).toMatchObject({ version: 2, definition: { name: 'Nudge 2' } });
    const list = await call('GET', '/v1/journeys');
    expect((list.body['journeys'] as { id: string }[]).map((j) => j.id)).toEqual(['nudge']);
    const stats = await call('GET', '/v1/journeys/nudge/stats');
    expect(stats.body).toMatchObject({
      version: 2,
      totals: { entered: 0, active: 0 },
      steps: { wait: { entered: 0, waiting: 0 }, tag: { sent: 0 } },
    });
    expect((await call('DELETE', '/v1/journeys/nudge')).status).toBe(204);
    expect((await call('GET', '/v1/journeys/nudge')).body).toMatchObject({ code: 'not_found' });
    expect((await call('GET', '/v1/journeys/nudge/stats')).status).toBe(404);
  });

  it('derives an id from the name', async () => {
    const { id: _id, ...unnamed } = valid;
    const created = await call('POST', '/v1/journeys', { ...unnamed, name: 'Win back: lapsed' });
    expect(created.body).toMatchObject({ id: 'win-back-lapsed' });
  });

  it.each([
    [
      'a step that is not there',
      withSteps({
        tag: { type: 'exit' },
        wait: { type: 'wait', duration: { amount: 1, unit: 'hours' }, next: 'nowhere' },
      }),
      'invalid_journey',
      '/steps/wait/next',
    ],
    [
      'a start that is not there',
      { ...valid, id: 'b', start: 'nope' },
      'invalid_journey',
      '/start',
    ],
    [
      'a loop without a wait',
      withSteps({
        a: {
          type: 'branch',
          branches: [{ condition: { type: 'trait', trait: 'x', op: 'exists' }, next: 'b' }],
          otherwise: 'b',
        },
        b: { type: 'action', action: { type: 'track_event', event: 'X' }, next: 'a' },
      }),
      'invalid_journey',
      '/steps/a',
    ],
    [
      'split percentages not summing to 100',
      withSteps({
        s: {
          type: 'split',
          paths: [
            { percent: 50, next: 'tag' },
            { percent: 40, next: 'tag' },
          ],
        },
      }),
      'invalid_journey',
      '/steps/s/paths',
    ],
    [
      'a wait with both a duration and a time of day',
      withSteps({
        wait: { type: 'wait', duration: { amount: 1, unit: 'hours' }, until: '09:00', next: 'tag' },
      }),
      'invalid_journey',
      '/steps/wait',
    ],
    [
      'email without an SMTP server',
      withSteps({ tag: { type: 'action', action: { type: 'email', subject: 'Hi', text: 'x' } } }),
      'invalid_journey',
      '/steps/tag/action',
    ],
    [
      'a webhook without a signing secret',
      withSteps({
        tag: { type: 'action', action: { type: 'webhook', url: 'http://127.0.0.1:9/x' } },
      }),
      'invalid_journey',
      '/steps/tag/action',
    ],
    [
      'a purpose the consent policy lacks',
      withSteps({
        tag: {
          type: 'action',
          action: { type: 'webhook', url: 'http://127.0.0.1:9/x', purpose: 'telepathy' },
        },
      }),
      'unknown_purpose',
      '/steps/tag/action/purpose',
    ],
    [
      'an unknown segment',
      { ...valid, id: 'c', entry: { segment: 'ghosts' } },
      'unknown_segment',
      '/entry/segment',
    ],
    [
      'a branch testing event history',
      withSteps({
        tag: {
          type: 'branch',
          branches: [{ condition: { type: 'event', event: 'Order Completed' }, next: 'wait' }],
          otherwise: 'wait',
        },
      }),
      'invalid_condition',
      '/steps/tag/branches/0/condition',
    ],
    [
      'a malformed condition',
      withSteps({
        tag: {
          type: 'branch',
          branches: [{ condition: { type: 'trait', trait: 'x', op: 'between', value: 3 } }],
          otherwise: 'wait',
        },
      }),
      'invalid_request',
      undefined,
    ],
    [
      'an unknown step type',
      withSteps({ tag: { type: 'teleport' } }),
      'invalid_request',
      undefined,
    ],
    [
      'equal quiet hours',
      { ...valid, id: 'd', quietHours: { from: '09:00', to: '09:00' } },
      'invalid_journey',
      '/quietHours',
    ],
  ])('refuses %s', async (_what, body, code, field) => {
    const res = await call('POST', '/v1/journeys', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body['code']).toBe(code);
    if (field !== undefined) expect(res.body['field']).toBe(field);
    expect(typeof res.body['detail']).toBe('string');
    expect((await call('GET', `/v1/journeys/${(body as { id: string }).id}`)).status).toBe(404);
  });

  it('serves the cart-abandonment template with the wait asked for', async () => {
    const res = await call(
      'GET',
      '/v1/journeys/templates/cart-abandonment?waitMinutes=30&goalDays=5',
    );
    expect(res.body).toMatchObject({
      entry: { event: 'Product Added' },
      steps: { 'wait-for-order': { timeout: { amount: 30, unit: 'minutes' } } },
      goal: { event: 'Order Completed', within: { amount: 5, unit: 'days' } },
    });
    // Without SMTP here, its email step is refused with a pointer to the setting.
    const created = await call('POST', '/v1/journeys', res.body);
    expect(created.body).toMatchObject({
      code: 'invalid_journey',
      field: '/steps/reminder/action',
    });
    expect(created.body['detail']).toContain('ATTUNE_SMTP_HOST');
  });

  it('needs a secret key with journeys permissions', async () => {
    const res = await callApi(t.app, 'GET', '/v1/journeys', undefined, t.basicAuth);
    expect(res.status).toBe(401);
  });
});
