import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
