import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const dayMs = 86_400_000;
const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
let t: TestApp;
let rulesDir: string;

beforeAll(async () => {
  rulesDir = mkdtempSync(join(tmpdir(), 'attune-retention-'));
  const rulesFile = join(rulesDir, 'rules.json');
  // Identifies are kept forever; Order Completed for a year; everything else 30 days.
  writeFileSync(
    rulesFile,
    JSON.stringify([
      { type: 'identify', days: 0 },
      { event: 'Order Completed', days: 365 },
    ]),
  );
  t = await startTestApp(
    {
      ATTUNE_RETENTION_FILE: rulesFile,
      ATTUNE_RETENTION_DAYS: '30',
      ATTUNE_RETENTION_INTERVAL_MINUTES: '0',
    },
    { clock },
  );
});
afterAll(async () => {
  await t.close();
  rmSync(rulesDir, { recursive: true, force: true });
});

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

async function settle(): Promise<void> {
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
}

describe('retention', () => {
  it('purges expired events per rule and drops them from profile timelines; traits persist', async () => {
    await call('POST', '/v1/batch', {
      batch: [
        { type: 'identify', userId: 'ann', traits: { plan: 'pro' } },
        { type: 'track', userId: 'ann', event: 'Order Completed', properties: { revenue: 5 } },
        // More than a timeline chunk (32), so stored chunks are pruned as well as recent offsets.
        ...Array.from({ length: 40 }, () => ({
          type: 'track',
          userId: 'ann',
          event: 'Product Viewed',
        })),
      ],
    });
    await settle();
    clock.advance(31 * dayMs);
    await call('POST', '/v1/batch', {
      batch: [{ type: 'track', userId: 'ann', event: 'Product Viewed' }],
    });
    await settle();

    const purge = await call('POST', '/v1/privacy/retention/purge');
    expect(purge).toEqual({ status: 200, body: { purged: 40, profilesRebuilt: 1 } });
    const events = await call('GET', '/v1/profiles/user_id:ann/events?limit=500');
    const names = (events.body['events'] as { type: string; event: string | null }[]).map(
      (e) => e.event ?? e.type,
    );
    expect(names).toEqual(['Product Viewed', 'Order Completed', 'identify']);
    const profile = await call('GET', '/v1/profiles/user_id:ann');
    // Profile state (traits, counters) is kept by design (docs/privacy-retention.md).
    expect(profile.body['traits']).toEqual({ plan: 'pro' });

    const status = await call('GET', '/v1/privacy/retention');
    expect(status.body).toMatchObject({
      defaultDays: 30,
      rules: [
        { type: 'identify', days: 0 },
        { event: 'Order Completed', days: 365 },
      ],
      intervalMinutes: 0,
      running: false,
      lastRun: { purged: 40, profilesRebuilt: 1 },
      totalPurged: 40,
    });
    // Nothing more is due.
    expect((await call('POST', '/v1/privacy/retention/purge')).body).toEqual({
      purged: 0,
      profilesRebuilt: 0,
    });
    // The processor carries on over the trimmed log.
    await call('POST', '/v1/batch', {
      batch: [{ type: 'track', userId: 'ann', event: 'Order Completed' }],
    });
    await settle();
    const after = await call('GET', '/v1/profiles/user_id:ann/events?limit=500');
    expect((after.body['events'] as unknown[]).length).toBe(4);
  });
});
