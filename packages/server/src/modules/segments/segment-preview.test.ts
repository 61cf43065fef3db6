import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventReader } from '../../adapters/sqlite/event-reader.sqlite.js';
import { openDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteProfileStore } from '../../adapters/sqlite/profile-store.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp, settle as settleApp } from '../../testing/test-app.fixture.js';
import { SegmentPreviewer } from './segment-preview.js';
import { PiiCipher } from '../privacy/pii-cipher.js';

const now = Date.UTC(2026, 10, 23, 12);
const hour = 3_600_000;
const day = 24 * hour;
const clock = new ManualClock(now);
let t: TestApp;
const ids: Record<string, string> = {};

const at = (ms: number) => new Date(ms).toISOString();
const track = (userId: string, event: string, time: number, properties: object = {}) => ({
  type: 'track',
  userId,
  event,
  properties,
  timestamp: at(time),
});

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await t.app.http.inject({
    method,
    url,
    headers: { authorization: url.startsWith('/v1/batch') ? t.basicAuth : t.bearerAdmin },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>(), res };
}

const settle = () => settleApp(t.app);

const preview = async (body: object) => {
  const res = await call('POST', '/v1/segments/preview', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    estimatedCount: number;
    scanned: number;
    totalProfiles: number;
    sample: { profileId: string }[];
    exact: boolean;
  };
};

const outdoorViews = {
  type: 'event',
  event: 'Product Viewed',
  where: [{ property: 'category', op: 'eq', value: 'outdoor' }],
  count: { op: 'at_least', value: 3 },
  window: { last: { amount: 7, unit: 'days' } },
};
const ordered = { type: 'event', event: 'Order Completed' };

// Four people, stored through the real ingest API and processor: ann viewed 3 outdoor
// products this week; bob viewed 3 outdoor products, 2 of them weeks ago, and ordered; cy
// only identified; dan viewed 40 indoor products (more than one timeline chunk).
beforeAll(async () => {
  t = await startTestApp({}, { clock });
  const batch = [
    { type: 'identify', userId: 'ann', traits: { plan: 'pro' }, timestamp: at(now - 9 * day) },
    ...[1, 2, 3].map((d) => track('ann', 'Product Viewed', now - d * day, { category: 'outdoor' })),
    track('bob', 'Product Viewed', now - 20 * day, { category: 'outdoor' }),
    track('bob', 'Product Viewed', now - 19 * day, { category: 'outdoor' }),
    track('bob', 'Product Viewed', now - 2 * day, { category: 'Outdoor' }),
    track('bob', 'Order Completed', now - day, { revenue: 80 }),
    { type: 'identify', userId: 'cy', traits: { plan: 'free' }, timestamp: at(now - day) },
    ...Array.from({ length: 40 }, (_, i) =>
      track('dan', 'Product Viewed', now - 30 * day + i * hour, { category: 'indoor' }),
    ),
  ];
  expect((await call('POST', '/v1/batch', { batch })).status).toBe(200);
  await settle();
  for (const user of ['ann', 'bob', 'cy', 'dan'])
    ids[user] = (await call('GET', `/v1/profiles/user_id:${user}`)).body['id'] as string;
});
afterAll(async () => {
  await t.close();
});

describe('POST /v1/segments/preview', () => {
  it('counts the profiles a draft matches, folding their history like a backfill', async () => {
    expect(await preview({ condition: outdoorViews })).toEqual({
      estimatedCount: 1,
      scanned: 4,
      totalProfiles: 4,
      sample: [{ profileId: ids['ann'] }],
      exact: true,
    });
    // Without the window bob's older views count too, once 'Outdoor' matches 'outdoor'.
    const { window: _window, ...ever } = outdoorViews;
    expect((await preview({ condition: ever })).sample).toEqual([{ profileId: ids['ann'] }]);
    const anyCase = {
      ...ever,
      where: [{ property: 'category', op: 'eq', value: 'outdoor', caseInsensitive: true }],
    };
    const anyCaseSample = (await preview({ condition: anyCase })).sample.map((s) => s.profileId);
    expect(anyCaseSample.sort()).toEqual([ids['ann'], ids['bob']].sort());
    const counts = await preview({
      condition: { type: 'event', event: 'Product Viewed', count: { op: 'at_least', value: 40 } },
    });
    expect(counts.sample).toEqual([{ profileId: ids['dan'] }]);
  });

  it('reads traits, the computed view and event absence at the injected now', async () => {
    const pro = await preview({
      condition: { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' },
    });
    expect(pro.sample).toEqual([{ profileId: ids['ann'] }]);
    const spent = await preview({
      condition: { type: 'computed', path: 'rfm.monetary', op: 'gte', value: 50 },
    });
    expect(spent.sample).toEqual([{ profileId: ids['bob'] }]);
    const neverOrdered = await preview({
      condition: { type: 'not', condition: ordered },
      sample: 100,
    });
    expect(neverOrdered.estimatedCount).toBe(3);
    expect(neverOrdered.sample.map((s) => s.profileId)).not.toContain(ids['bob']);
    // Five days later two of ann's three views have left the 7-day window.
    clock.set(now + 5 * day + hour);
    try {
      expect((await preview({ condition: outdoorViews })).estimatedCount).toBe(0);
    } finally {
      clock.set(now);
    }
  });

  it('scans at most maxProfiles in id order and extrapolates; sample limits the ids', async () => {
    const everyone = { type: 'trait', trait: 'plan', op: 'not_exists' };
    const all = await preview({ condition: everyone, sample: 100 });
    expect(all).toMatchObject({ estimatedCount: 2, scanned: 4, exact: true });
    const sorted = Object.values(ids).sort();
    const firstTwo = await preview({ condition: everyone, maxProfiles: 2, sample: 100 });
    const matchesInFirstTwo = sorted
      .slice(0, 2)
      .filter((id) => id === ids['bob'] || id === ids['dan']).length;
    expect(firstTwo).toMatchObject({
      scanned: 2,
      totalProfiles: 4,
      exact: false,
      estimatedCount: Math.round((matchesInFirstTwo * 4) / 2),
    });
    // Exactly as many as there are: every profile was seen, so the count is exact.
    expect(await preview({ condition: everyone, maxProfiles: 4 })).toMatchObject({ exact: true });
    const one = await preview({ condition: { type: 'not', condition: ordered }, sample: 1 });
    expect(one.sample).toHaveLength(1);
    expect(one.estimatedCount).toBe(3);
    const none = await preview({ condition: everyone, sample: 0 });
    expect(none).toMatchObject({ sample: [], estimatedCount: 2 });
  });

  it('agrees with the memberships the processor computes for the saved segment', async () => {
    const condition = {
      type: 'or',
      conditions: [ordered, { type: 'trait', trait: 'plan', op: 'eq', value: 'free' }],
    };
    const previewed = await preview({ condition, sample: 100 });
    const created = await call('POST', '/v1/segments', {
      id: 'buyers-or-free',
      name: 'B',
      condition,
    });
    expect(created.status).toBe(201);
    // The processor backfills on its next pass; an event wakes it.
    await call('POST', '/v1/batch', { batch: [track('eve', 'Page Seen', now)] });
    await settle();
    await expect
      .poll(async () => (await call('GET', '/v1/segments/buyers-or-free')).body['status'], {
        timeout: 10_000,
      })
      .toMatchObject({ state: 'ready' });
    const members = (await call('GET', '/v1/segments/buyers-or-free/members')).body['members'] as {
      profileId: string;
    }[];
    expect(members.map((m) => m.profileId)).toEqual(previewed.sample.map((s) => s.profileId));
    // A draft may refer to saved segments: their stored memberships are read.
    const ref = await preview({ condition: { type: 'segment', segment: 'buyers-or-free' } });
    expect(ref.estimatedCount).toBe(members.length);
    // The processor's entries (stamped by its own clock) make the size history.
    const real = Date.now();
    const history = await call(
      'GET',
      `/v1/segments/buyers-or-free/size-history?interval=hour&from=${real - 2 * hour}&to=${real + hour}`,
    );
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    const points = history.body['points'] as { size: number }[];
    expect(points.at(-1)?.size).toBe(members.length);
  });

  it('refuses bad drafts with problem+json naming the field, and saves nothing', async () => {
    const before = (await call('GET', '/v1/segments')).body['segments'] as unknown[];
    const cases: [object, string, string][] = [
      [
        { condition: { ...outdoorViews, window: { last: { amount: 0, unit: 'days' } } } },
        'invalid_condition',
        '/condition/window/last/amount',
      ],
      [{ condition: { type: 'nope' } }, 'invalid_condition', '/condition/type'],
      [{ condition: null }, 'invalid_condition', '/condition'],
      [{ condition: { type: 'segment', segment: 'ghost' } }, 'unknown_segment', '/condition'],
      [{}, 'invalid_request', '/condition'],
      [{ condition: ordered, sample: 101 }, 'invalid_request', '/sample'],
      [{ condition: ordered, maxProfiles: 0 }, 'invalid_request', '/maxProfiles'],
      [{ condition: ordered, extra: 1 }, 'invalid_request', '/extra'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call('POST', '/v1/segments/preview', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code, field, detail: expect.any(String) });
    }
    expect((await call('GET', '/v1/segments')).body['segments']).toEqual(before);
    const anonymous = await t.app.http.inject({
      method: 'POST',
      url: '/v1/segments/preview',
      payload: { condition: ordered },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the previewer', () => {
  it('gives the event loop a turn between chunks and skips profiles gone since listed', async () => {
    const stateDb = openDatabase(join(t.dataDir, 'state.db'), { schema: 'state' });
    const logDb = openDatabase(join(t.dataDir, 'attune.db'), { schema: 'log' });
    try {
      const cipher = new PiiCipher(t.app.keyring);
      const store = new SqliteProfileStore(stateDb, cipher);
      const reader = new SqliteEventReader(logDb, cipher);
      const gone = ids['cy'] as string;
      const previewer = new SegmentPreviewer({
        // A profile merged away between listing and loading.
        profiles: {
          load: (id) => (id === gone ? undefined : store.load(id)),
          idsAfter: (after, limit) => store.idsAfter(after, limit),
          count: () => store.count(),
          chunkOffsets: (id) => store.chunkOffsets(id),
        },
        readTracks: (offsets, events, withProperties) =>
          reader.readTracks(offsets, events, withProperties),
        computedTraits: [],
        rfmBreakpoints: () => null,
        clock,
        chunk: 1,
      });
      // Counts the turns the event loop gets while the preview runs.
      let turns = 0;
      let running = true;
      const tick = (): void => {
        if (!running) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      const result = await previewer.preview(ordered as never, { sample: 10, maxProfiles: 100 });
      running = false;
      expect(result).toMatchObject({ scanned: 4, estimatedCount: 1, exact: true });
      expect(result.sample).toEqual([ids['bob']]);
      expect(turns).toBeGreaterThan(0);
    } finally {
      stateDb.close();
      logDb.close();
    }
  });
});
