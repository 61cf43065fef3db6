import type { RfmRecomputeResult, RfmSnapshot } from '@attune/contracts';
import { rfmBreakpoints, rfmScore, rfmSegmentDefinitions, type Rfm } from '@attune/engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type AttuneApp } from '../../app.js';
import { loadConfig } from '../../config/config.js';
import { ManualClock } from '../../platform/clock.js';
import { testAdminKey, testWriteKey } from '../../testing/test-app.fixture.js';

const day = 86_400_000;
const start = Date.UTC(2026, 10, 23, 10);
const clock = new ManualClock(start);
let dataDir: string;
let app: AttuneApp;

const customers = 50;
const users = Array.from({ length: customers + 5 }, (_, i) => `u${String(i).padStart(2, '0')}`);

const openApp = () =>
  createApp(
    loadConfig({
      env: {
        ATTUNE_DATA_DIR: dataDir,
        ATTUNE_WRITE_KEY: testWriteKey,
        ATTUNE_ADMIN_KEY: testAdminKey,
        ATTUNE_LOG_LEVEL: 'silent',
      },
    }),
    { clock },
  );

/** 50 customers with 1–6 orders of varied revenue and recency; 5 profiles without orders. */
function batch(): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  users.forEach((userId, i) => {
    messages.push({
      type: 'identify',
      userId,
      traits: { email: `${userId}@example.com` },
      timestamp: new Date(start - 400 * day).toISOString(),
    });
    if (i >= customers) return;
    // Many customers with one order: frequency quintiles tie.
    const orders = i % 3 === 0 ? 1 + (i % 6) : 1;
    for (let k = 0; k < orders; k++) {
      const daysAgo = ((i * 37) % 300) + k * 20 + (k === 0 ? 0.5 : 0);
      messages.push({
        type: 'track',
        userId,
        event: 'Order Completed',
        properties: { revenue: Math.round((15 + ((i * 53 + k * 11) % 400)) * 100) / 100 + 0.99 },
        timestamp: new Date(start - daysAgo * day).toISOString(),
      });
    }
  });
  return messages;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-rfm-'));
  app = await openApp();
  const res = await app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: `Basic ${Buffer.from(`${testWriteKey}:`).toString('base64')}` },
    payload: { batch: batch() },
  });
  expect(res.statusCode, res.body).toBe(200);
  await app.processor!.caughtUp(await app.eventLog.lastOffset());
});
afterAll(async () => {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  return app.http.inject({
    method,
    url,
    headers: { authorization: `Bearer ${testAdminKey}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

type RfmView = Rfm & { score?: { r: number; f: number; m: number } };

async function rfmOfUser(userId: string): Promise<RfmView> {
  const res = await call('GET', `/v1/profiles/user_id:${userId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ computed: { rfm: RfmView } }>().computed.rfm;
}

describe('RFM over the API', () => {
  it('has no breakpoints before orders were scored: 404 rfm_not_computed, no rfm.score', async () => {
    const res = await call('GET', '/v1/rfm');
    expect(res.statusCode, res.body).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'rfm_not_computed', status: 404 });
    expect(await rfmOfUser('u01')).not.toHaveProperty('score');
  });

  it('recompute: breakpoints of the customers’ RFM; every profile scored against them', async () => {
    const res = await call('POST', '/v1/rfm/recompute');
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json<RfmRecomputeResult>();
    const views = await Promise.all(users.map(rfmOfUser));
    const buyers = views.filter((v) => v.recencyDays !== null);
    expect(buyers).toHaveLength(customers);
    const expected = rfmBreakpoints(
      buyers.map((v) => ({
        recencyDays: v.recencyDays!,
        frequency: v.frequency,
        monetary: v.monetary,
      })),
    )!;
    expect(result).toMatchObject({
      changed: true,
      profilesScanned: users.length,
      snapshot: {
        version: 1,
        computedAt: new Date(start).toISOString(),
        customers,
        breakpoints: expected,
      },
    });
    // Most customers ordered once: the lower frequency breakpoints tie at 1.
    expect(expected.frequency.slice(0, 2)).toEqual([1, 1]);
    for (const v of views) {
      const { score, ...rfm } = v;
      expect(score).toEqual(rfmScore(rfm, expected) ?? undefined);
    }
    expect((await call('GET', '/v1/rfm')).json()).toEqual(result.snapshot);
  });

  it('a recompute over unchanged data keeps the version; snapshots lists the versions', async () => {
    const again = (await call('POST', '/v1/rfm/recompute')).json<RfmRecomputeResult>();
    expect(again).toMatchObject({ changed: false, snapshot: { version: 1 } });
    const list = await call('GET', '/v1/rfm/snapshots?limit=5');
    expect(list.json<{ snapshots: RfmSnapshot[] }>().snapshots.map((s) => s.version)).toEqual([1]);
  });

  it('lists the ready-made segments and installs them once', async () => {
    const list = await call('GET', '/v1/rfm/segments');
    expect(list.statusCode, list.body).toBe(200);
    const ids = rfmSegmentDefinitions.map((d) => d.id);
    expect(list.json<{ segments: { id: string }[] }>().segments.map((s) => s.id)).toEqual(ids);

    const installed = await call('POST', '/v1/rfm/segments/install');
    expect(installed.statusCode, installed.body).toBe(200);
    expect(installed.json()).toEqual({ created: ids, skipped: [] });
    const segments = (await call('GET', '/v1/segments')).json<{
      segments: { id: string; name: string; condition: unknown }[];
    }>().segments;
    for (const d of rfmSegmentDefinitions)
      expect(segments.find((s) => s.id === d.id)).toMatchObject({
        name: d.name,
        condition: d.condition,
      });
    expect((await call('POST', '/v1/rfm/segments/install')).json()).toEqual({
      created: [],
      skipped: ids,
    });
  });

  it('a preview of an RFM segment counts the profiles in its cells', async () => {
    const views = await Promise.all(users.map(rfmOfUser));
    for (const d of rfmSegmentDefinitions) {
      const inCells = views.filter(
        ({ score }) =>
          score !== undefined &&
          d.cells.some(
            (c) => score.r >= c.r[0] && score.r <= c.r[1] && score.f >= c.f[0] && score.f <= c.f[1],
          ),
      ).length;
      const res = await call('POST', '/v1/segments/preview', { condition: d.condition });
      expect(res.json(), d.id).toMatchObject({ estimatedCount: inCells, exact: true });
    }
  });

  it('needs the admin key', async () => {
    for (const [method, url] of [
      ['GET', '/v1/rfm'],
      ['POST', '/v1/rfm/recompute'],
      ['GET', '/v1/rfm/segments'],
      ['POST', '/v1/rfm/segments/install'],
    ] as const) {
      const res = await app.http.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('a start after the interval recomputes: recency moved, so a new version', async () => {
    await app.close();
    clock.advance(25 * 3_600_000);
    app = await openApp();
    await vi.waitFor(async () => {
      const latest = (await call('GET', '/v1/rfm')).json<RfmSnapshot>();
      expect(latest.version).toBe(2);
    });
    const { snapshots } = (await call('GET', '/v1/rfm/snapshots')).json<{
      snapshots: RfmSnapshot[];
    }>();
    const [latest, first] = snapshots;
    expect(latest!.computedAt).toBe(new Date(start + 25 * 3_600_000).toISOString());
    // A day later: every recency one day longer, orders and revenue as they were.
    latest!.breakpoints.recency.forEach((r, k) =>
      expect(r).toBeCloseTo(first!.breakpoints.recency[k]! + 1, 9),
    );
    expect(latest!.breakpoints.frequency).toEqual(first!.breakpoints.frequency);
    expect(latest!.breakpoints.monetary).toEqual(first!.breakpoints.monetary);
  });
});
