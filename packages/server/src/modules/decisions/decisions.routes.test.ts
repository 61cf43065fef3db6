import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  settle as settleApp,
  startTestApp,
  type TestApp,
} from '../../testing/test-app.fixture.js';

let t: TestApp;

const settle = () => settleApp(t.app);
const call = (method: string, url: string, payload?: object, authorization?: string) =>
  callApi(t.app, method, url, payload, authorization ?? t.bearerAdmin);

const decide = (payload: object, authorization = t.basicAuth) =>
  call('POST', '/v1/decide', payload, authorization);

const heroPlacement = {
  id: 'home_hero',
  name: 'Home hero',
  rules: [
    {
      id: 'flash-sale',
      override: true,
      schedule: { start: '2020-01-01T00:00:00Z', end: '2020-01-02T00:00:00Z' },
      condition: { type: 'not', condition: { type: 'segment', segment: 'outdoor' } },
      variant: { id: 'sale', payload: { banner: 'sale' } },
    },
    {
      id: 'winter-campaign',
      priority: 10,
      condition: {
        type: 'context',
        field: 'campaign.name',
        op: 'eq',
        value: 'winter',
        caseInsensitive: true,
      },
      variant: { id: 'winter', payload: { banner: 'winter' } },
    },
    {
      id: 'outdoor-fans',
      condition: { type: 'segment', segment: 'outdoor' },
      variant: {
        id: 'outdoor',
        payload: { banner: 'outdoor' },
        template: 'Hi {{ traits.name | default: "there" }}, new tents for {{ context.page.path }}',
      },
    },
  ],
  fallback: { id: 'default', payload: { banner: 'default' }, template: 'Welcome!' },
};

beforeAll(async () => {
  t = await startTestApp();
  const segment = await call('POST', '/v1/segments', {
    id: 'outdoor',
    name: 'Outdoor browsers',
    condition: {
      type: 'event',
      event: 'Product Viewed',
      where: [{ property: 'category', op: 'eq', value: 'outdoor' }],
    },
  });
  expect(segment.status, JSON.stringify(segment.body)).toBe(201);
  const now = new Date().toISOString();
  const ingest = await call(
    'POST',
    '/v1/batch',
    {
      batch: [
        { type: 'identify', userId: 'ann', traits: { name: '<b>Ann</b>' }, timestamp: now },
        {
          type: 'track',
          userId: 'ann',
          event: 'Product Viewed',
          properties: { category: 'outdoor' },
          timestamp: now,
        },
        { type: 'track', anonymousId: 'anon-bob', event: 'Product Viewed', timestamp: now },
      ],
    },
    t.basicAuth,
  );
  expect(ingest.status).toBe(200);
  await settle();
  // The backfill runs on the processor's next pass.
  for (let i = 0; i < 100; i++) {
    const status = (await call('GET', '/v1/segments/outdoor')).body['status'] as {
      state: string;
    } | null;
    if (status?.state === 'ready') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect((await call('GET', '/v1/segments/outdoor')).body['status']).toMatchObject({
    state: 'ready',
    size: 1,
  });
  const created = await call('POST', '/v1/placements', heroPlacement);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('POST /v1/decide', () => {
  it("answers each placement from the profile's segments, rendering the template", async () => {
    const res = await decide({
      userId: 'ann',
      placements: ['home_hero'],
      context: { page: { path: '/outdoor' } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const [decision] = res.body['decisions'] as Record<string, unknown>[];
    expect(decision).toMatchObject({
      placement: 'home_hero',
      variantId: 'outdoor',
      payload: { banner: 'outdoor' },
      // Traits come from visitors: escaped unless a template says `| raw`.
      rendered: 'Hi &lt;b&gt;Ann&lt;/b&gt;, new tents for /outdoor',
      ruleId: 'outdoor-fans',
      reason: 'rule',
      fallback: false,
    });
    expect(decision?.['decisionId']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets a context rule of higher priority win, for unknown visitors too', async () => {
    for (const who of [{ userId: 'ann' }, { anonymousId: 'never-seen' }]) {
      const res = await decide({
        ...who,
        placements: ['home_hero'],
        context: { campaign: { name: 'WINTER' } },
      });
      expect((res.body['decisions'] as object[])[0]).toMatchObject({
        variantId: 'winter',
        ruleId: 'winter-campaign',
      });
    }
  });

  it('gives unknown visitors and non-members the fallback, never an error', async () => {
    for (const who of [{ anonymousId: 'anon-bob' }, { anonymousId: 'never-seen' }, {}]) {
      const res = await decide({ ...who, placements: ['home_hero'] });
      expect(res.status).toBe(200);
      expect((res.body['decisions'] as object[])[0]).toMatchObject({
        variantId: 'default',
        rendered: 'Welcome!',
        ruleId: null,
        reason: 'no_rule',
        fallback: true,
      });
    }
  });

  it('logs each decision as a Decision Served event of the visitor', async () => {
    const res = await decide({ userId: 'ann', placements: ['home_hero'] });
    const { decisionId } = (res.body['decisions'] as { decisionId: string }[])[0]!;
    await expect
      .poll(
        async () => {
          await settle();
          // In the log (profiles get them only when a segment or computed trait uses them).
          const events = await call('GET', '/v1/events?userId=ann&limit=50');
          type Logged = { event: string; message: { properties: { decisionId?: string } } };
          return (events.body['events'] as Logged[]).find(
            (e) => e.event === 'Decision Served' && e.message.properties.decisionId === decisionId,
          )?.message.properties;
        },
        { timeout: 5000 },
      )
      .toMatchObject({ decisionId, placement: 'home_hero', variantId: 'outdoor' });
    const none = await decide({ userId: 'ann', placements: ['home_hero'], log: false });
    expect(none.status).toBe(200);
  });

  it('answers a decide whose context is too big to log, and logs the others', async () => {
    // Decisions are serialized once, after ingestion's steps: the 32 KB message limit must
    // still hold there.
    const big = await decide({
      userId: 'ann',
      placements: ['home_hero'],
      context: { note: 'x'.repeat(33_000) },
    });
    expect(big.status).toBe(200);
    const small = await decide({ userId: 'ann', placements: ['home_hero'] });
    const idOf = (res: typeof big) =>
      (res.body['decisions'] as { decisionId: string }[])[0]!.decisionId;
    const logged = async () => {
      await settle();
      const events = await call('GET', '/v1/events?userId=ann&limit=100');
      type Logged = { event: string; message: { properties: { decisionId?: string } } };
      return (events.body['events'] as Logged[])
        .filter((e) => e.event === 'Decision Served')
        .map((e) => e.message.properties.decisionId);
    };
    await expect.poll(logged, { timeout: 5000 }).toContain(idOf(small));
    expect(await logged()).not.toContain(idOf(big));
  });

  it('takes JSON sent as text/plain with the key in the body, as browsers send it', async () => {
    const ask = (payload: string) =>
      t.app.http.inject({
        method: 'POST',
        url: '/v1/decide',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload,
      });
    const res = await ask(
      JSON.stringify({
        writeKey: 'wk_test_write_key_0001',
        anonymousId: 'plain-text',
        placements: ['home_hero'],
        context: { campaign: { name: 'Winter' } },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.json().decisions[0].variantId).toBe('winter');
    const broken = await ask('{"writeKey": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.json().code).toBe('invalid_json');
  });

  it('refuses missing or wrong write keys and unknown placements, naming the field', async () => {
    const noKey = await call('POST', '/v1/decide', { placements: ['home_hero'] }, '');
    expect(noKey.status).toBe(401);
    expect(noKey.body).toMatchObject({ code: 'missing_write_key' });
    const bad = await decide({ placements: ['home_hero'] }, 'Bearer wk_nope');
    expect(bad.body).toMatchObject({ code: 'invalid_write_key' });
    // A secret key is not a write key.
    expect((await decide({ placements: ['home_hero'] }, t.bearerAdmin)).status).toBe(401);
    const unknown = await decide({ placements: ['home_hero', 'nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'unknown_placement', field: '/placements/1' });
    const empty = await decide({ placements: [] });
    expect(empty.status).toBe(400);
  });
});

describe('/v1/placements', () => {
  const rule = (condition: unknown, extra: object = {}) => ({
    name: 'Broken',
    rules: [{ id: 'r', condition, variant: { id: 'v' }, ...extra }],
    fallback: { id: 'f' },
  });

  it('checks definitions and names the offending field', async () => {
    const cases: [object, string, string][] = [
      [rule({ type: 'segment' }), 'invalid_condition', '/rules/0/condition/segment'],
      [rule({ type: 'segment', segment: 'ghost' }), 'unknown_segment', '/rules/0/condition'],
      [
        rule({ type: 'event', event: 'Order Completed' }),
        'invalid_condition',
        '/rules/0/condition',
      ],
      [
        rule(
          { type: 'segment', segment: 'outdoor' },
          { schedule: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } },
        ),
        'invalid_request',
        '/rules/0/schedule/end',
      ],
      [
        { ...rule({ type: 'segment', segment: 'outdoor' }), fallback: { id: 'f', template: '{{' } },
        'invalid_template',
        '/fallback/template',
      ],
    ];
    for (const [body, code, field] of cases) {
      const res = await call('POST', '/v1/placements', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ code, field });
    }
    const twice = await call('POST', '/v1/placements', {
      name: 'Twice',
      rules: [
        { id: 'a', condition: { type: 'segment', segment: 'outdoor' }, variant: { id: 'v' } },
        { id: 'a', condition: { type: 'segment', segment: 'outdoor' }, variant: { id: 'w' } },
      ],
      fallback: { id: 'f' },
    });
    expect(twice.body).toMatchObject({ code: 'invalid_request', field: '/rules/1/id' });
    expect((await call('GET', '/v1/placements')).body['placements']).toHaveLength(1);
  });

  it('versions edits, and decide uses the new version at once', async () => {
    const created = await call('POST', '/v1/placements', {
      name: 'Cart drawer',
      rules: [],
      fallback: { id: 'plain' },
    });
    expect(created.body).toMatchObject({ id: 'cart-drawer', version: 1 });
    expect(
      (await decide({ userId: 'ann', placements: ['cart-drawer'] })).body['decisions'],
    ).toMatchObject([{ variantId: 'plain' }]);
    const edited = await call('PUT', '/v1/placements/cart-drawer', {
      name: 'Cart drawer',
      rules: [
        { id: 'fans', condition: { type: 'segment', segment: 'outdoor' }, variant: { id: 'tent' } },
      ],
      fallback: { id: 'plain' },
    });
    expect(edited.body).toMatchObject({ version: 2 });
    expect(
      (await decide({ userId: 'ann', placements: ['cart-drawer'] })).body['decisions'],
    ).toMatchObject([{ variantId: 'tent', ruleId: 'fans' }]);
    expect((await call('DELETE', '/v1/placements/cart-drawer')).status).toBe(204);
    expect((await decide({ placements: ['cart-drawer'] })).body).toMatchObject({
      code: 'unknown_placement',
    });
    const again = await call('POST', '/v1/placements', {
      id: 'cart-drawer',
      name: 'Again',
      rules: [],
      fallback: { id: 'x' },
    });
    expect(again.status).toBe(409);
  });

  it("lets rules test the visitor's explicit consent", async () => {
    const created = await call('POST', '/v1/placements', {
      id: 'newsletter_box',
      name: 'Newsletter box',
      rules: [
        {
          id: 'subscribed',
          condition: { type: 'consent', purpose: 'marketing_email', state: 'granted' },
          variant: { id: 'thanks' },
        },
        {
          id: 'declined',
          condition: { type: 'consent', purpose: 'marketing_email', state: 'denied' },
          variant: { id: 'nothing' },
        },
      ],
      fallback: { id: 'ask' },
    });
    expect(created.status).toBe(201);
    const variantOf = async (anonymousId: string) =>
      (
        (await decide({ anonymousId, placements: ['newsletter_box'] })).body['decisions'] as {
          variantId: string;
        }[]
      )[0]!.variantId;
    expect(await variantOf('consent-yes')).toBe('ask');
    for (const [anonymousId, granted] of [
      ['consent-yes', true],
      ['consent-no', false],
    ] as const) {
      const res = await call('POST', '/v1/consent', {
        anonymousId,
        purposes: { marketing_email: granted },
      });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    }
    expect(await variantOf('consent-yes')).toBe('thanks');
    expect(await variantOf('consent-no')).toBe('nothing');
    expect(await variantOf('consent-unknown')).toBe('ask');
  });
});
