import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteProfileStore } from '../../adapters/sqlite/profile-store.sqlite.js';
import { createApp, type AttuneApp } from '../../app.js';
import { loadConfig } from '../../config/config.js';
import { ManualClock } from '../../platform/clock.js';
import { testAdminKey, testWriteKey } from '../../testing/test-app.fixture.js';
import { PiiCipher } from '../privacy/pii-cipher.js';

const start = Date.UTC(2026, 10, 23, 10);
const clock = new ManualClock(start);
let dataDir: string;
let app: AttuneApp;
/** state.db as the processor would write it. */
let stateDb: SqliteDatabase;
let annId: string;

const openApp = (processor: 'on' | 'off') =>
  createApp(
    loadConfig({
      env: {
        ATTUNE_DATA_DIR: dataDir,
        ATTUNE_WRITE_KEY: testWriteKey,
        ATTUNE_ADMIN_KEY: testAdminKey,
        ATTUNE_LOG_LEVEL: 'silent',
        ATTUNE_PROCESSOR: processor,
      },
    }),
    { clock },
  );

// Membership is the processor's job, which is built separately: a first start with the
// processor makes a real profile, the second runs without it so that only this test writes
// the membership tables.
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-segments-'));
  app = await openApp('on');
  const res = await app.http.inject({
    method: 'POST',
    url: '/v1/identify',
    headers: { authorization: `Basic ${Buffer.from(`${testWriteKey}:`).toString('base64')}` },
    payload: { userId: 'ann', traits: { email: 'ann@example.com', plan: 'pro' } },
  });
  expect(res.statusCode, res.body).toBe(200);
  await app.processor!.caughtUp(await app.eventLog.lastOffset());
  await app.close();
  app = await openApp('off');
  stateDb = openDatabase(join(dataDir, 'state.db'), { schema: 'state' });
  annId = (await call('GET', '/v1/profiles/user_id:ann')).json<{ id: string }>().id;
});
afterAll(async () => {
  stateDb.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return app.http.inject({
    method,
    url,
    headers: { authorization: `Bearer ${testAdminKey}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function expectProblem(
  response: Awaited<ReturnType<typeof call>>,
  status: number,
  expected: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json<Record<string, unknown>>();
  expect(body).toMatchObject(expected);
  return body;
}

const pro = { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' };
const buyer = { type: 'event', event: 'Order Completed' };
const inSegment = (segment: string) => ({ type: 'segment', segment });

describe('segment definitions', () => {
  it('create, read, list, update as new versions, delete', async () => {
    const created = await call('POST', '/v1/segments', {
      id: 'pro-users',
      name: 'Pro users',
      condition: pro,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      id: 'pro-users',
      name: 'Pro users',
      description: null,
      version: 1,
      condition: pro,
      createdAt: new Date(start).toISOString(),
      updatedAt: new Date(start).toISOString(),
      status: null,
    });

    clock.advance(60_000);
    const edited = { name: 'Pro buyers', description: 'Pro plan, bought', condition: buyer };
    const updated = await call('PUT', '/v1/segments/pro-users', edited);
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({
      ...edited,
      version: 2,
      createdAt: new Date(start).toISOString(),
      updatedAt: new Date(start + 60_000).toISOString(),
    });
    // The same definition again is not a new version.
    expect((await call('PUT', '/v1/segments/pro-users', edited)).json()).toMatchObject({
      version: 2,
    });

    expect((await call('GET', '/v1/segments/pro-users')).json()).toEqual(updated.json());
    const list = await call('GET', '/v1/segments');
    expect(list.json<{ segments: { id: string }[] }>().segments.map((s) => s.id)).toContain(
      'pro-users',
    );
    const versions = await call('GET', '/v1/segments/pro-users/versions');
    expect(versions.json()).toEqual({
      versions: [
        {
          version: 1,
          name: 'Pro users',
          description: null,
          condition: pro,
          createdAt: new Date(start).toISOString(),
        },
        { version: 2, ...edited, createdAt: new Date(start + 60_000).toISOString() },
      ],
    });

    const deleted = await call('DELETE', '/v1/segments/pro-users');
    expect(deleted.statusCode, deleted.body).toBe(204);
    for (const url of ['/v1/segments/pro-users', '/v1/segments/pro-users/versions'])
      await expectProblem(await call('GET', url), 404, { code: 'not_found' });
    const after = await call('GET', '/v1/segments');
    expect(after.json<{ segments: { id: string }[] }>().segments.map((s) => s.id)).not.toContain(
      'pro-users',
    );
    // A deleted segment's id is not reused.
    await expectProblem(
      await call('POST', '/v1/segments', { id: 'pro-users', name: 'Again', condition: pro }),
      409,
      { code: 'conflict', field: '/id' },
    );
    const derived = await call('POST', '/v1/segments', { name: 'Pro Users', condition: pro });
    expect(derived.json()).toMatchObject({ id: 'pro-users-2' });
  });

  it('derives a unique id from the name when none is given', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', '/v1/segments', {
        name: 'High-Value Customers!',
        condition: pro,
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json<{ id: string }>().id);
    }
    expect(ids).toEqual([
      'high-value-customers',
      'high-value-customers-2',
      'high-value-customers-3',
    ]);
  });
});

describe('refused definitions', () => {
  it('a condition the checker refuses: invalid_condition at the node at fault', async () => {
    const body = await expectProblem(
      await call('POST', '/v1/segments', {
        name: 'Bad window',
        condition: {
          type: 'and',
          conditions: [pro, { ...buyer, window: { last: { amount: 0, unit: 'days' } } }],
        },
      }),
      400,
      { code: 'invalid_condition', field: '/condition/conditions/1/window/last/amount' },
    );
    expect(body['detail']).toEqual(expect.any(String));
    await expectProblem(
      await call('POST', '/v1/segments', { name: 'Null', condition: null }),
      400,
      { code: 'invalid_condition', field: '/condition' },
    );
    await expectProblem(await call('POST', '/v1/segments', { name: 'No condition' }), 400, {
      code: 'invalid_request',
      field: '/condition',
    });
  });

  it('a reference to a segment that does not exist: unknown_segment at that node', async () => {
    await expectProblem(
      await call('POST', '/v1/segments', {
        name: 'Unknown ref',
        condition: {
          type: 'or',
          conditions: [pro, { type: 'not', condition: inSegment('ghost') }],
        },
      }),
      400,
      { code: 'unknown_segment', field: '/condition/conditions/1/condition' },
    );
  });

  it('a segment that would depend on itself: segment_cycle naming the cycle', async () => {
    await call('POST', '/v1/segments', { id: 'a', name: 'A', condition: pro });
    expect(
      (await call('POST', '/v1/segments', { id: 'b', name: 'B', condition: inSegment('a') }))
        .statusCode,
    ).toBe(201);
    const body = await expectProblem(
      await call('PUT', '/v1/segments/a', { name: 'A', condition: inSegment('b') }),
      400,
      { code: 'segment_cycle', field: '/condition', cycle: ['a', 'b', 'a'] },
    );
    expect(body['detail']).toContain('a → b → a');
    expect((await call('GET', '/v1/segments/a')).json()).toMatchObject({ version: 1 });
    await expectProblem(
      await call('POST', '/v1/segments', {
        id: 'self',
        name: 'Self',
        condition: inSegment('self'),
      }),
      400,
      { code: 'segment_cycle', detail: expect.stringContaining('self → self') },
    );
  });

  it('a duplicate id, or deleting a segment others use: conflict', async () => {
    await call('POST', '/v1/segments', { id: 'base', name: 'Base', condition: pro });
    await expectProblem(
      await call('POST', '/v1/segments', { id: 'base', name: 'Base again', condition: pro }),
      409,
      { code: 'conflict', field: '/id' },
    );
    await call('POST', '/v1/segments', { id: 'user-1', name: 'U1', condition: inSegment('base') });
    await call('POST', '/v1/segments', {
      id: 'user-2',
      name: 'U2',
      condition: { type: 'not', condition: inSegment('base') },
    });
    const body = await expectProblem(await call('DELETE', '/v1/segments/base'), 409, {
      code: 'conflict',
      referencedBy: ['user-1', 'user-2'],
    });
    expect(body['detail']).toContain('user-1, user-2');
    expect((await call('GET', '/v1/segments/base')).statusCode).toBe(200);
  });

  it('unknown ids: not_found; a changed id in the body: invalid_request; no key: 401', async () => {
    await expectProblem(await call('GET', '/v1/segments/nope'), 404, { code: 'not_found' });
    await expectProblem(
      await call('PUT', '/v1/segments/nope', { name: 'N', condition: pro }),
      404,
      {
        code: 'not_found',
      },
    );
    await expectProblem(await call('DELETE', '/v1/segments/nope'), 404, { code: 'not_found' });
    await expectProblem(await call('GET', '/v1/segments/nope/members'), 404, {
      code: 'not_found',
    });
    await call('POST', '/v1/segments', { id: 'fixed', name: 'Fixed', condition: pro });
    await expectProblem(
      await call('PUT', '/v1/segments/fixed', { id: 'moved', name: 'Fixed', condition: pro }),
      400,
      { code: 'invalid_request', field: '/id' },
    );
    const anonymous = await app.http.inject({ method: 'GET', url: '/v1/segments' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('memberships (rows as the processor writes them)', () => {
  // The members table, the count on the status and the profile's row, as the processor keeps them.
  const addMember = (segmentId: string, profileId: string, since: number, version = 1) => {
    stateDb
      .prepare(
        'INSERT INTO segment_members (segment_id, profile_id, version, since) VALUES (?, ?, ?, ?)',
      )
      .run(segmentId, profileId, version, since);
    stateDb
      .prepare('UPDATE segment_status SET members = members + 1 WHERE segment_id = ?')
      .run(segmentId);
    const profiles = new SqliteProfileStore(stateDb, new PiiCipher(app.keyring));
    const profile = profiles.load(profileId);
    if (profile === undefined) return;
    profile.segments.members[segmentId] = { version, since };
    profiles.save(profile);
  };

  it('shows status and size, and pages the members', async () => {
    await call('POST', '/v1/segments', { id: 'vip', name: 'VIP', condition: pro });
    stateDb
      .prepare(
        `INSERT INTO segment_status (segment_id, version, state, active_from_offset, profiles_done,
           profiles_total, started_at, ready_at) VALUES ('vip', 1, 'ready', 1, 5, 5, ?, ?)`,
      )
      .run(start, start);
    for (const id of ['m_5', 'm_2', 'm_4', 'm_1', 'm_3']) addMember('vip', id, start + 1000);

    expect((await call('GET', '/v1/segments/vip')).json()).toMatchObject({
      status: { state: 'ready', version: 1, profilesDone: 5, profilesTotal: 5, size: 5 },
    });
    const first = await call('GET', '/v1/segments/vip/members?limit=2');
    expect(first.json()).toEqual({
      members: [
        { profileId: 'm_1', since: new Date(start + 1000).toISOString(), version: 1 },
        { profileId: 'm_2', since: new Date(start + 1000).toISOString(), version: 1 },
      ],
      cursor: 'm_2',
    });
    const pages: string[][] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await call('GET', `/v1/segments/vip/members?limit=2&cursor=${cursor}`);
      const page = res.json<{ members: { profileId: string }[]; cursor: string | null }>();
      pages.push(page.members.map((m) => m.profileId));
      cursor = page.cursor;
    }
    expect(pages).toEqual([['m_1', 'm_2'], ['m_3', 'm_4'], ['m_5']]);
    await expectProblem(await call('GET', '/v1/segments/vip/members?limit=0'), 400, {
      code: 'invalid_request',
    });
  });

  it("lists a profile's segments (by id or identifier) and its latest changes", async () => {
    await call('POST', '/v1/segments', { id: 'buyers', name: 'Buyers', condition: buyer });
    await call('POST', '/v1/segments', { id: 'gone', name: 'Gone', condition: buyer });
    await call('DELETE', '/v1/segments/gone');
    addMember('buyers', annId, start + 2000, 1);
    addMember('gone', annId, start + 3000, 1);
    const change = stateDb.prepare(
      `INSERT INTO segment_changes (segment_id, version, profile_id, entered, at, event_offset)
       VALUES (?, 1, ?, ?, ?, ?)`,
    );
    change.run('buyers', annId, 1, start + 1000, 7);
    change.run('buyers', annId, 0, start + 1500, null);
    change.run('buyers', annId, 1, start + 2000, 9);

    const res = await call('GET', '/v1/profiles/email:ANN@example.com/segments?history=2');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      profileId: annId,
      segments: [
        {
          segmentId: 'buyers',
          name: 'Buyers',
          since: new Date(start + 2000).toISOString(),
          version: 1,
        },
      ],
      history: [
        {
          segmentId: 'buyers',
          version: 1,
          change: 'entered',
          at: new Date(start + 2000).toISOString(),
          eventOffset: 9,
        },
        {
          segmentId: 'buyers',
          version: 1,
          change: 'exited',
          at: new Date(start + 1500).toISOString(),
          eventOffset: null,
        },
      ],
    });
    const byId = await call('GET', `/v1/profiles/${annId}/segments`);
    expect(byId.json<{ history: unknown[] }>().history).toHaveLength(3);
    await expectProblem(await call('GET', '/v1/profiles/user_id:nobody/segments'), 404, {
      code: 'not_found',
    });
    await expectProblem(await call('GET', '/v1/profiles/email:not-an-email/segments'), 400, {
      code: 'invalid_request',
    });
  });
});
