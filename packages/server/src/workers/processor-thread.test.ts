import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { startTestApp, type TestApp } from '../testing/test-app.fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('the processor thread', () => {
  it('processes ingested events beside the request thread', async () => {
    const batch = [
      ...Array.from({ length: 30 }, () => ({
        type: 'track',
        userId: 'u',
        event: 'Product Viewed',
      })),
      ...Array.from({ length: 12 }, () => ({ type: 'page', anonymousId: 'a', name: 'Home' })),
    ];
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: t.basicAuth },
      payload: { batch },
    });
    expect(res.statusCode).toBe(200);
    const last = await t.app.eventLog.lastOffset();
    await t.app.processor!.caughtUp(last);
    expect(t.app.processor!.committedOffset).toBe(last);

    const db = new Database(t.app.files.state, { readonly: true });
    try {
      const rows = db.prepare('SELECT type, event, count FROM event_volume ORDER BY type').all();
      expect(rows).toEqual([
        { type: 'page', event: 'Home', count: 12 },
        { type: 'track', event: 'Product Viewed', count: 30 },
      ]);
      expect(
        db
          .prepare("SELECT committed_offset FROM processor_offsets WHERE name = 'main'")
          .pluck()
          .get(),
      ).toBe(last);
    } finally {
      db.close();
    }
  });
});

describe('replay', () => {
  it('rebuilds deleted derived state from the log on the next start', async () => {
    const first = await startTestApp();
    try {
      const batch = Array.from({ length: 25 }, () => ({
        type: 'track',
        userId: 'u',
        event: 'Replayed',
      }));
      await first.app.http.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: first.basicAuth },
        payload: { batch },
      });
      await first.app.processor!.caughtUp(await first.app.eventLog.lastOffset());
      await first.app.close();
      rmSync(first.app.files.state);
      rmSync(`${first.app.files.state}-wal`, { force: true });
      rmSync(`${first.app.files.state}-shm`, { force: true });

      const again = await createApp(first.config);
      try {
        await again.processor!.caughtUp(25);
        const db = new Database(again.files.state, { readonly: true });
        expect(
          db.prepare("SELECT count FROM event_volume WHERE event = 'Replayed'").pluck().get(),
        ).toBe(25);
        db.close();
      } finally {
        await again.close();
      }
    } finally {
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
