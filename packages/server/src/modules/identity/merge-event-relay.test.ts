import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type AttuneApp } from '../../app.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp | undefined;
let app: AttuneApp;
afterEach(async () => {
  await app.close();
  if (t !== undefined) rmSync(t.dataDir, { recursive: true, force: true });
});

async function settle(): Promise<void> {
  for (;;) {
    const last = await app.eventLog.lastOffset();
    await app.processor!.caughtUp(last);
    await app.mergeEvents.idle();
    if ((await app.eventLog.lastOffset()) === last) return;
  }
}

async function mergeEvents(): Promise<{ messageId: string; message: Record<string, unknown> }[]> {
  const res = await app.http.inject({
    method: 'GET',
    url: '/v1/events?source=attune&limit=100',
    headers: { authorization: t!.bearerAdmin },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ events: { messageId: string; message: Record<string, unknown> }[] }>().events;
}

async function restart(): Promise<void> {
  await app.close();
  app = await createApp(t!.config);
}

describe('identity merges as log events', () => {
  it('emits each merge once, explained, and again after a crash lost it — never twice', async () => {
    t = await startTestApp();
    app = t.app;
    const batch = [
      { type: 'page', anonymousId: 'phone', name: 'Home', timestamp: '2026-11-01T10:00:00Z' },
      { type: 'identify', userId: 'u1', anonymousId: 'laptop', timestamp: '2026-11-02T10:00:00Z' },
      {
        type: 'track',
        userId: 'u1',
        anonymousId: 'phone',
        event: 'Login',
        timestamp: '2026-11-03T10:00:00Z',
      },
    ];
    const res = await app.http.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: t.basicAuth },
      payload: { batch },
    });
    expect(res.statusCode).toBe(200);
    await settle();

    const emitted = await mergeEvents();
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({
      messageId: 'identity-merged:p_2',
      message: {
        type: 'track',
        event: 'Identity Merged',
        timestamp: '2026-11-03T10:00:00.000Z',
        properties: {
          survivorId: 'p_1',
          mergedId: 'p_2',
          mergeSeq: 1,
          identifiers: [
            { type: 'anonymous_id', value: 'laptop' },
            { type: 'user_id', value: 'u1' },
          ],
          causedBy: { offset: 3 },
        },
      },
    });
    // The merge event does not become a profile or touch one.
    const profile = await app.http.inject({
      method: 'GET',
      url: '/v1/profiles/p_1',
      headers: { authorization: t.bearerAdmin },
    });
    expect(profile.json<{ eventCount: number }>().eventCount).toBe(3);

    // A restart that forgot it had seen the event re-emits it: dedup keeps one.
    await app.close();
    const state = new Database(app.files.state);
    state.prepare('DELETE FROM merge_events_logged').run();
    state.close();
    await restart();
    await settle();
    expect(await mergeEvents()).toHaveLength(1);

    // A crash between the processor's commit and the append (the event never reached the
    // log): the next start emits it.
    await app.close();
    const log = new Database(app.files.log);
    log.prepare(`DELETE FROM events WHERE source_id = 'attune'`).run();
    log.close();
    const reset = new Database(app.files.state);
    reset.prepare('DELETE FROM merge_events_logged').run();
    reset.close();
    await restart();
    await settle();
    expect((await mergeEvents()).map((e) => e.messageId)).toEqual(['identity-merged:p_2']);
  });
});
