import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteSegmentStateStore } from '../../adapters/sqlite/segment-state.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const hour = 3_600_000;
const day = 24 * hour;
const midnight = Date.UTC(2026, 10, 20);
const clock = new ManualClock(midnight + 3 * day + 10 * hour + 30 * 60_000);
let t: TestApp;
/** state.db as the processor writes it (the processor is off: only this test writes). */
let stateDb: SqliteDatabase;

const iso = (ms: number) => new Date(ms).toISOString();

async function get(url: string) {
  const res = await t.app.http.inject({
    method: 'GET',
    url,
    headers: { authorization: t.bearerAdmin },
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>(), res };
}

/** Recorded through the processor's write path (the processor itself is off). */
function change(segmentId: string, profileId: string, entered: boolean, at: number): void {
  new SqliteSegmentStateStore(stateDb).recordChanges([
    { segmentId, version: 1, profileId, entered, at, eventOffset: null },
  ]);
}

beforeAll(async () => {
  t = await startTestApp({ ATTUNE_PROCESSOR: 'off' }, { clock });
  stateDb = openDatabase(join(t.dataDir, 'state.db'), { schema: 'state' });
  for (const id of ['vip', 'other']) {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: { authorization: t.bearerAdmin },
      payload: { id, name: id, condition: { type: 'event', event: 'Order Completed' } },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  // Before the range: a and b entered, a left (size 1 at the start of the range).
  change('vip', 'a', true, midnight - 5 * day);
  change('vip', 'b', true, midnight - 4 * day);
  change('vip', 'a', false, midnight - 2 * day);
  // Day 0: c and d enter (3); day 1: c exits (2); day 2: b exits, a re-enters (2);
  // day 3: a exits at midnight exactly, e and g enter between 10:00 and 10:30, now (3).
  change('vip', 'c', true, midnight + 1 * hour);
  change('vip', 'd', true, midnight + 23 * hour + 59 * 60_000);
  change('vip', 'c', false, midnight + day + 12 * hour);
  change('vip', 'b', false, midnight + 2 * day + 5 * hour);
  change('vip', 'a', true, midnight + 2 * day + 6 * hour);
  change('vip', 'a', false, midnight + 3 * day);
  change('vip', 'e', true, midnight + 3 * day + 10 * hour + 5 * 60_000);
  change('vip', 'g', true, midnight + 3 * day + 10 * hour + 10 * 60_000);
  change('other', 'x', true, midnight + hour);
});
afterAll(async () => {
  stateDb.close();
  await t.close();
});

describe('GET /v1/segments/{id}/size-history', () => {
  it('gives the size at the end of each day: entries minus exits up to then', async () => {
    const res = await get(
      `/v1/segments/vip/size-history?interval=day&from=${iso(midnight)}&to=${iso(midnight + 3 * day + hour)}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      interval: 'day',
      from: iso(midnight),
      to: iso(midnight + 4 * day),
      points: [
        { at: iso(midnight), size: 3 },
        { at: iso(midnight + day), size: 2 },
        // a's exit at midnight belongs to day 3.
        { at: iso(midnight + 2 * day), size: 2 },
        { at: iso(midnight + 3 * day), size: 3 },
      ],
    });
  });

  it('buckets by UTC hour, widening from and to to whole hours; epoch ms work too', async () => {
    const from = midnight + 2 * day + 4 * hour + 10 * 60_000;
    const to = midnight + 2 * day + 6 * hour + 1;
    const res = await get(`/v1/segments/vip/size-history?interval=hour&from=${from}&to=${to}`);
    expect(res.body).toEqual({
      interval: 'hour',
      from: iso(midnight + 2 * day + 4 * hour),
      to: iso(midnight + 2 * day + 7 * hour),
      points: [
        { at: iso(midnight + 2 * day + 4 * hour), size: 2 },
        { at: iso(midnight + 2 * day + 5 * hour), size: 1 },
        { at: iso(midnight + 2 * day + 6 * hour), size: 2 },
      ],
    });
  });

  it('defaults to the last 30 days by day, or 48 hours by hour, up to now', async () => {
    const days = await get('/v1/segments/vip/size-history');
    const points = days.body['points'] as { at: string; size: number }[];
    expect(days.body['interval']).toBe('day');
    expect(points).toHaveLength(31);
    expect(points.at(-1)).toEqual({ at: iso(midnight + 3 * day), size: 3 });
    expect(points[0]).toEqual({ at: iso(midnight + 3 * day - 30 * day), size: 0 });
    const hours = await get('/v1/segments/vip/size-history?interval=hour');
    const hourly = hours.body['points'] as { at: string; size: number }[];
    expect(hourly).toHaveLength(49);
    expect(hourly.slice(-2)).toEqual([
      { at: iso(midnight + 3 * day + 9 * hour), size: 1 },
      { at: iso(midnight + 3 * day + 10 * hour), size: 3 },
    ]);
    // Another segment's changes do not count.
    const other = await get('/v1/segments/other/size-history');
    expect((other.body['points'] as { size: number }[]).at(-1)?.size).toBe(1);
  });

  it('refuses bad ranges and unknown segments with problem+json', async () => {
    const cases: [string, number, string, string | undefined][] = [
      ['/v1/segments/vip/size-history?from=yesterday', 400, 'invalid_request', '/from'],
      ['/v1/segments/vip/size-history?to=2026-13-01', 400, 'invalid_request', '/to'],
      [
        `/v1/segments/vip/size-history?from=${iso(midnight)}&to=${iso(midnight)}`,
        400,
        'invalid_request',
        '/from',
      ],
      ['/v1/segments/vip/size-history?interval=week', 400, 'invalid_request', '/interval'],
      ['/v1/segments/vip/size-history?interval=hour&from=0', 400, 'invalid_request', '/from'],
      ['/v1/segments/vip/size-history?limit=3', 400, 'invalid_request', '/limit'],
      ['/v1/segments/ghost/size-history', 404, 'not_found', undefined],
    ];
    for (const [url, status, code, field] of cases) {
      const res = await get(url);
      expect(res.status, url).toBe(status);
      expect(res.res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code, detail: expect.any(String) });
      expect(res.body['field'], url).toBe(field);
    }
  });
});
