import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function app(): TestApp {
  if (t === undefined) throw new Error('no app');
  return t;
}

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const auth = url.startsWith('/v1/batch') ? app().basicAuth : app().bearerAdmin;
  const res = await app().app.http.inject({
    method,
    url,
    headers: { authorization: auth },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

async function start(env: Record<string, string> = {}): Promise<void> {
  t = await startTestApp(env);
}

/** Until the processor has caught up and the outboxes have nothing left to announce. */
async function settle(): Promise<void> {
  const { app: a } = app();
  for (let i = 0; i < 50; i++) {
    const last = await a.eventLog.lastOffset();
    await a.processor?.caughtUp(last);
    await Promise.all([a.mergeEvents.idle(), a.segmentEvents.idle(), a.stageEvents.idle()]);
    if ((await a.eventLog.lastOffset()) === last) return;
  }
}

const batch = (messages: object[]) => call('POST', '/v1/batch', { batch: messages });
const now = () => new Date().toISOString();

/** Rows of every table of a database file holding one of the needles (exactly or inside). */
function rowsNaming(file: string, needles: string[], skip: string[] = []): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const found: string[] = [];
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .pluck()
      .all() as string[];
    for (const table of tables) {
      if (skip.includes(table)) continue;
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null || typeof value === 'number') continue;
          const text = (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase();
          for (const needle of needles) {
            const n = needle.toLowerCase();
            if (
              text === n ||
              text.includes(JSON.stringify(n)) ||
              (n.length > 6 && text.includes(n))
            )
              found.push(`${table}.${column}: ${needle}`);
          }
        }
      }
    }
    return found;
  } finally {
    db.close();
  }
}

describe('erasure (DELETE /v1/privacy/profiles/{id})', () => {
  it('leaves no row in any table of either file referring to the subject; others keep theirs', async () => {
    await start();
    expect(
      (await call('PUT', '/v1/journey-map/definition', { template: 'ecommerce' })).status,
    ).toBe(200);
    const created = await call('POST', '/v1/segments', {
      id: 'buyers',
      name: 'Buyers',
      condition: { type: 'event', event: 'Order Completed' },
    });
    expect(created.status).toBe(201);
    await batch([
      { type: 'page', anonymousId: 'dev-subject-a', name: 'Home', timestamp: now() },
      {
        type: 'identify',
        anonymousId: 'dev-subject-a',
        userId: 'subject-user-1',
        traits: { email: 'Subject.Person@Example.com', phone: '+49 30 1234567', name: 'Sub Ject' },
        timestamp: now(),
      },
      { type: 'track', anonymousId: 'dev-subject-b', event: 'Product Added', timestamp: now() },
      {
        type: 'identify',
        anonymousId: 'dev-subject-b',
        userId: 'subject-user-1',
        timestamp: now(),
      },
      {
        type: 'track',
        userId: 'subject-user-1',
        event: 'Order Completed',
        properties: { revenue: 42 },
        timestamp: now(),
      },
      {
        type: 'track',
        userId: 'subject-user-1',
        event: 'Decision Served',
        properties: { placement: 'home-hero', variant: 'b' },
        timestamp: now(),
      },
      {
        type: 'identify',
        userId: 'other-user-9',
        traits: { email: 'other@example.com', plan: 'pro' },
        timestamp: now(),
      },
      { type: 'track', userId: 'other-user-9', event: 'Order Completed', timestamp: now() },
    ]);
    await settle();
    await expect
      .poll(async () => (await call('GET', '/v1/segments/buyers')).body['status'], {
        timeout: 5000,
      })
      .toMatchObject({ state: 'ready', size: 2 });
    await settle();

    const subject = await call('GET', '/v1/profiles/user_id:subject-user-1');
    expect(subject.status).toBe(200);
    const subjectId = subject.body['id'] as string;
    expect(subject.body['mergedFrom']).toHaveLength(1);
    const mergedId = (subject.body['mergedFrom'] as string[])[0] as string;
    const other = await call('GET', '/v1/profiles/user_id:other-user-9');
    const otherEvents = await call('GET', `/v1/profiles/user_id:other-user-9/events?limit=500`);

    // Not yet processed when the erasure starts (or processed meanwhile): erased either way.
    await batch([
      { type: 'track', userId: 'subject-user-1', event: 'Product Viewed', timestamp: now() },
      {
        type: 'track',
        anonymousId: 'dev-subject-c',
        event: 'Product Viewed',
        context: { traits: { email: 'subject.person@example.com' } },
        timestamp: now(),
      },
    ]);
    const lastHourSize = async () => {
      const points = (await call('GET', '/v1/segments/buyers/size-history?interval=hour')).body[
        'points'
      ] as { size: number }[];
      return points[points.length - 1]?.size;
    };
    expect(await lastHourSize()).toBe(2);
    const erased = await call('DELETE', `/v1/privacy/profiles/${mergedId}`);
    expect(erased.status).toBe(200);
    const receipt = erased.body;
    expect(receipt).toMatchObject({ profileId: mergedId, verified: true, remaining: [] });
    expect([...(receipt['profileIds'] as string[])].sort()).toEqual([mergedId, subjectId].sort());
    const deleted = receipt['deleted'] as Record<string, number>;
    expect(deleted['attune.events']).toBeGreaterThanOrEqual(8);
    expect(deleted['state.profiles']).toBeGreaterThanOrEqual(1);
    expect(deleted['state.segment_members']).toBe(1);
    expect(deleted['state.identity_merges']).toBe(1);
    const pseudonyms = receipt['suppressedIdentifiers'] as string[];
    expect(pseudonyms.length).toBeGreaterThanOrEqual(5);
    await settle();

    expect((await call('GET', `/v1/profiles/${subjectId}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/privacy/profiles/${subjectId}`)).status).toBe(404);
    // The other person is untouched.
    expect(await call('GET', '/v1/profiles/user_id:other-user-9')).toEqual(other);
    expect(await call('GET', `/v1/profiles/user_id:other-user-9/events?limit=500`)).toEqual(
      otherEvents,
    );
    expect((await call('GET', '/v1/segments/buyers')).body['status']).toMatchObject({ size: 1 });
    // Size over time no longer counts the subject either.
    expect(await lastHourSize()).toBe(1);

    // A later event with a suppressed identifier is dropped, not stored.
    const before = await app().app.eventLog.lastOffset();
    const late = await batch([
      { type: 'track', userId: 'subject-user-1', event: 'Product Viewed', timestamp: now() },
      {
        type: 'identify',
        anonymousId: 'dev-new',
        traits: { email: 'SUBJECT.person@example.com' },
        timestamp: now(),
      },
    ]);
    expect(late.status).toBe(200);
    expect(await app().app.eventLog.lastOffset()).toBe(before);
    await settle();

    const needles = [
      subjectId,
      mergedId,
      'subject-user-1',
      'subject.person@example.com',
      '+49301234567',
      'dev-subject-a',
      'dev-subject-b',
      'dev-subject-c',
      'Sub Ject',
      ...pseudonyms,
    ];
    const { files } = app().app;
    expect(rowsNaming(files.log, needles, ['suppressed_identifiers'])).toEqual([]);
    expect(rowsNaming(files.state, needles)).toEqual([]);
    // The suppression list holds pseudonyms only.
    expect(rowsNaming(files.log, needles.slice(0, 9))).toEqual([]);

    // Not even in the files' bytes (secure_delete), once closed (WAL checkpointed away).
    await app().app.close();
    for (const file of [files.log, files.state]) {
      const bytes = readFileSync(file);
      for (const needle of ['subject-user-1', 'Subject.Person@Example.com', 'dev-subject-a'])
        expect(bytes.includes(needle), `${needle} in ${file}`).toBe(false);
    }
  }, 30_000);

  it('accepts a re-consenting event with a suppressed identifier, and lifts the suppression', async () => {
    await start();
    await batch([{ type: 'identify', userId: 'ann-1', traits: { email: 'ann@example.com' } }]);
    await settle();
    const id = (await call('GET', '/v1/profiles/user_id:ann-1')).body['id'] as string;
    const r = await call('DELETE', `/v1/privacy/profiles/${id}`);
    expect(r.body).toMatchObject({ verified: true });
    const offset = async () => app().app.eventLog.lastOffset();
    const before = await offset();
    await batch([{ type: 'track', userId: 'ann-1', event: 'Product Viewed' }]);
    expect(await offset()).toBe(before);
    await batch([
      {
        type: 'track',
        userId: 'ann-1',
        event: 'Consent Updated',
        properties: { categoryPreferences: { analytics: true } },
      },
    ]);
    expect(await offset()).toBe(before + 1);
    // Lifted for that identifier: later events with it are stored again.
    await batch([{ type: 'track', userId: 'ann-1', event: 'Product Viewed' }]);
    expect(await offset()).toBe(before + 2);
    // Still suppressed: the email, which did not re-consent.
    await batch([{ type: 'identify', anonymousId: 'x-1', traits: { email: 'ann@example.com' } }]);
    expect(await offset()).toBe(before + 2);
    await batch([
      {
        type: 'identify',
        anonymousId: 'x-1',
        traits: { email: 'ann@example.com' },
        context: { consent: { categoryPreferences: { analytics: true } } },
      },
    ]);
    expect(await offset()).toBe(before + 3);
  });

  it('answers 404 with the processor off for a profile the state file does not know', async () => {
    await start({ ATTUNE_PROCESSOR: 'false' });
    // Nothing is processed: the profile is unknown to the state file, so 404.
    await batch([{ type: 'identify', userId: 'bo-2', traits: { email: 'bo@example.com' } }]);
    expect((await call('DELETE', '/v1/privacy/profiles/p_1')).status).toBe(404);
  });
});
