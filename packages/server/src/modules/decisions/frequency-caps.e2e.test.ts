import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, settle, startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;

const call = (method: string, url: string, payload?: object, authorization?: string) =>
  callApi(t.app, method, url, payload, authorization ?? t.bearerAdmin);

const english = { type: 'context', field: 'locale', op: 'starts_with', value: 'en' };
const hero = {
  id: 'home_hero',
  name: 'Home hero',
  rules: [
    {
      id: 'sale',
      condition: english,
      variant: { id: 'sale', cap: { max: 2, per: { amount: 1, unit: 'days' } } },
    },
    { id: 'plain', condition: english, variant: { id: 'plain' } },
  ],
  fallback: { id: 'default' },
  frequencyCap: { max: 3, per: { amount: 1, unit: 'days' } },
};

async function ask(anonymousId: string): Promise<string> {
  const res = await call(
    'POST',
    '/v1/decide',
    { anonymousId, placements: ['home_hero'], context: { locale: 'en-US' } },
    t.basicAuth,
  );
  expect(res.status).toBe(200);
  const [d] = res.body['decisions'] as { variantId: string; reason: string }[];
  return `${d!.variantId}/${d!.reason}`;
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('frequency caps', () => {
  it('are stored with the placement and checked, naming the field', async () => {
    const created = await call('POST', '/v1/placements', hero);
    expect(created.status).toBe(201);
    expect(created.body['frequencyCap']).toEqual(hero.frequencyCap);
    const bad = [
      [{ ...hero, id: 'x1', fallback: { id: 'd', cap: hero.frequencyCap } }, '/fallback/cap'],
      [
        { ...hero, id: 'x2', frequencyCap: { max: 1, per: { amount: 31, unit: 'days' } } },
        '/frequencyCap/per',
      ],
      [{ ...hero, id: 'x3', frequencyCap: { max: 0, per: { amount: 1, unit: 'days' } } }, ''],
    ] as const;
    for (const [body, field] of bad) {
      const res = await call('POST', '/v1/placements', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body['field']).toContain(field || '/frequencyCap/max');
    }
  });

  it('hold per visitor, and still hold after a restart (counted again from the log)', async () => {
    expect([await ask('v1'), await ask('v1'), await ask('v1')]).toEqual([
      'sale/rule',
      'sale/rule',
      'plain/rule',
    ]);
    expect(await ask('v1')).toBe('default/frequency_cap');
    expect(await ask('v2')).toBe('sale/rule');

    await t.restart();
    expect(await ask('v1')).toBe('default/frequency_cap');
    expect(await ask('v2')).toBe('sale/rule');
    expect(await ask('v2')).toBe('plain/rule');
  });

  it('are forgotten when the visitor is erased, and stay forgotten after a restart', async () => {
    const event = { type: 'track', anonymousId: 'v-erased', event: 'Page Viewed' };
    expect((await call('POST', '/v1/batch', { batch: [event] }, t.basicAuth)).status).toBe(200);
    const asked = [];
    for (let i = 0; i < 4; i++) asked.push(await ask('v-erased'));
    expect(asked).toEqual(['sale/rule', 'sale/rule', 'plain/rule', 'default/frequency_cap']);
    await settle(t.app);
    const profile = await call('GET', '/v1/profiles/anonymous_id:v-erased');
    expect(profile.status).toBe(200);

    const erased = await call('DELETE', `/v1/privacy/profiles/${String(profile.body['id'])}`);
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    // Two counters: the placement's and the capped variant's.
    expect((erased.body['deleted'] as Record<string, number>)['decide.impressions']).toBe(2);
    expect(await ask('v-erased')).toBe('sale/rule');
    expect(await ask('v1')).toBe('default/frequency_cap');

    // Nothing of theirs is counted again from the log.
    await t.restart();
    expect(await ask('v-erased')).toBe('sale/rule');
    expect(await ask('v1')).toBe('default/frequency_cap');
  });
});
