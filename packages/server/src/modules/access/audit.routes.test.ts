import type { AuditEntry } from '@attune/contracts';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const clock = new ManualClock(Date.parse('2027-03-01T12:00:00Z'));
let t: TestApp;
let analyst: string;

/** An entry as the API returns it; these tests read keys of its detail. */
type Entry = AuditEntry & { detail: Record<string, unknown> };

beforeAll(async () => {
  t = await startTestApp({ ATTUNE_PROCESSOR: 'false' }, { clock });
  analyst = (await t.app.keys.create({ kind: 'secret', name: 'analyst', role: 'analyst' })).key;
});
afterAll(async () => t.close());

const inject = (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  authorization: string,
  payload?: object,
) =>
  t.app.http.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) });
const auditPage = async (query = '') =>
  (await inject('GET', `/v1/audit${query}`, t.bearerAdmin)).json<{
    entries: Entry[];
    next: number | null;
  }>();

describe('the audit log', () => {
  it('records profile reads, key changes and config changes, with who, when, what and the outcome', async () => {
    await inject('GET', '/v1/profiles/email:ann@example.com', `Bearer ${analyst}`);
    clock.advance(1000);
    const created = await inject('POST', '/v1/keys', t.bearerAdmin, {
      kind: 'secret',
      name: 'ops',
      role: 'marketer',
    });
    const keyId = created.json<{ info: { id: string } }>().info.id;
    await inject('DELETE', `/v1/keys/${keyId}`, t.bearerAdmin);
    await inject('POST', '/v1/segments', t.bearerAdmin, {
      name: 'Pro',
      condition: { trait: 'plan', op: 'eq', value: 'pro' },
    });
    // Refused attempts on audited routes are recorded too; unaudited reads are not.
    await inject('DELETE', `/v1/keys/${keyId}`, `Bearer ${analyst}`);
    await inject('GET', '/v1/segments', t.bearerAdmin);

    const { entries } = await auditPage();
    expect(entries.map((e) => [e.action, e.status])).toEqual([
      ['profile.read', 404],
      ['keys.create', 201],
      ['keys.revoke', 204],
      ['segment.create', expect.any(Number)],
      ['keys.revoke', 403],
    ]);
    const analystKeyId = (await t.app.keys.list()).find((k) => k.name === 'analyst')?.id;
    expect(entries[0]).toMatchObject({
      seq: 1,
      at: '2027-03-01T12:00:00.000Z',
      keyId: analystKeyId,
      role: 'analyst',
      method: 'GET',
      // The person is stored as a keyed pseudonym; the URL keeps only the route pattern.
      url: '/v1/profiles/:id',
      target: t.app.keyring.pseudonym('audit_subject', 'email:ann@example.com'),
      ip: '127.0.0.1',
    });
    expect(JSON.stringify(entries)).not.toContain('ann@example.com');
    expect(entries[1]).toMatchObject({
      target: keyId,
      role: 'admin',
      detail: { kind: 'secret', role: 'marketer', sourceId: null, expiresAt: null },
    });
    expect(entries[2]).toMatchObject({ target: keyId });
    expect(entries[4]).toMatchObject({ role: 'analyst', status: 403 });
    expect(JSON.stringify(entries)).not.toMatch(/sk_/);
  });

  it('filters by action, key and time, and pages by seq', async () => {
    expect((await auditPage('?action=keys.revoke')).entries).toHaveLength(2);
    const analystKeyId = (await t.app.keys.list()).find((k) => k.name === 'analyst')?.id;
    const byKey = await auditPage(`?keyId=${analystKeyId}`);
    expect(byKey.entries.map((e) => e.action)).toEqual(['profile.read', 'keys.revoke']);
    // A person is found by the identifier in the clear.
    const byPerson = await auditPage('?target=email:ann@example.com');
    expect(byPerson.entries.map((e) => e.action)).toEqual(['profile.read']);
    expect((await auditPage('?since=2027-03-01T12:00:01Z')).entries).toHaveLength(4);
    const first = await auditPage('?limit=2');
    expect(first.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const rest = await auditPage(`?after=${first.next}&limit=10`);
    expect(rest.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(rest.next).toBeNull();
    const bad = await inject('GET', '/v1/audit?since=yesterday', t.bearerAdmin);
    expect(bad.json()).toMatchObject({ code: 'invalid_request', field: '/since' });
  });

  it('is readable by admins only', async () => {
    expect((await inject('GET', '/v1/audit', `Bearer ${analyst}`)).statusCode).toBe(403);
  });

  it('refuses updates and deletes, and detects an edited row when the triggers are gone', async () => {
    const verify = async () =>
      (await inject('GET', '/v1/audit/verify', t.bearerAdmin)).json<{
        ok: boolean;
        checked: number;
        firstBrokenSeq: number | null;
      }>();
    expect(await verify()).toEqual({ ok: true, checked: 5, firstBrokenSeq: null });

    const db = new Database(t.app.files.log);
    try {
      expect(() => db.prepare(`UPDATE audit_log SET status = 200 WHERE seq = 5`).run()).toThrow(
        /append-only/,
      );
      expect(() => db.prepare(`DELETE FROM audit_log WHERE seq = 1`).run()).toThrow(/append-only/);

      db.exec(`DROP TRIGGER audit_log_no_update`);
      const original = (await auditPage()).entries[0]?.target;
      db.prepare(`UPDATE audit_log SET target = 'someone-else' WHERE seq = 1`).run();
      const [first] = (await auditPage()).entries;
      expect(first?.target).toBe('someone-else');
      expect(await verify()).toEqual({ ok: false, checked: 1, firstBrokenSeq: 1 });

      // Recomputing that row's hash does not help: the next row links to the old one.
      db.exec(`DROP TRIGGER audit_log_no_delete`);
      db.prepare(`DELETE FROM audit_log WHERE seq = 3`).run();
      db.prepare(`UPDATE audit_log SET target = ? WHERE seq = 1`).run(original);
      expect(await verify()).toEqual({ ok: false, checked: 3, firstBrokenSeq: 4 });
    } finally {
      db.close();
    }
  });
});
