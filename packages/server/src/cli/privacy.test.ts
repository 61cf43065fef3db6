import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testAdminKey, type TestApp } from '../testing/test-app.fixture.js';
import type { CliIo } from './admin-command.js';
import { privacyCommand } from './privacy.js';

let t: TestApp;
let url: string;
let outDir: string;
let profileId: string;

beforeAll(async () => {
  t = await startTestApp();
  url = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  outDir = mkdtempSync(join(tmpdir(), 'attune-privacy-cli-'));
  const now = new Date().toISOString();
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: {
      batch: [
        { type: 'identify', userId: 'ann', traits: { email: 'ann@example.com', plan: 'pro' } },
        ...Array.from({ length: 1200 }, (_, i) => ({
          type: 'track',
          userId: 'ann',
          event: i === 0 ? 'Decision Served' : 'Product Viewed',
          properties: { n: i },
          timestamp: now,
        })),
        { type: 'identify', userId: 'bob', traits: { email: 'bob@example.com' } },
      ],
    },
  });
  expect(res.statusCode).toBe(200);
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
  const profile = await t.app.http.inject({
    method: 'GET',
    url: '/v1/profiles/user_id:ann',
    headers: { authorization: t.bearerAdmin },
  });
  profileId = profile.json<{ id: string }>().id;
});
afterAll(async () => {
  await t.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: () => ({ ATTUNE_ADMIN_KEY: testAdminKey }),
  };
  let error: Error | null = null;
  try {
    await privacyCommand(io)
      .exitOverride()
      .parseAsync([...args, '--url', url], { from: 'user' });
  } catch (e) {
    error = e as Error;
  }
  return { stdout, stderr, error };
}

describe('attune privacy', () => {
  it('exports everything held on a person to a file (events paged, decisions from the log)', async () => {
    const out = join(outDir, 'ann.json');
    const result = await run(['export', profileId, '--out', out]);
    expect(result.error).toBeNull();
    expect(result.stdout).toContain('1,201 events');
    const exported = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown[]> & {
      profile: { id: string; traits: Record<string, unknown> };
    };
    expect(exported.profile.id).toBe(profileId);
    expect(exported.profile.traits).toMatchObject({ plan: 'pro', email: 'ann@example.com' });
    expect(exported['identities']).toEqual(
      expect.arrayContaining([
        { type: 'user_id', value: 'ann' },
        { type: 'email', value: 'ann@example.com' },
      ]),
    );
    expect(exported['events']).toHaveLength(1201);
    expect(exported['decisions']).toHaveLength(1);
    expect(exported['consent']).toEqual([]);
    expect(JSON.stringify(exported)).not.toContain('bob');
  });

  it('refuses to erase without --yes, then erases and prints the receipt', async () => {
    const refused = await run(['erase', profileId]);
    expect(refused.error?.message).toMatch(/--yes/);
    const erased = await run(['erase', profileId, '--yes']);
    expect(erased.error).toBeNull();
    expect(erased.stdout).toMatch(/^erased p_\d+ in [\d.]+ ms: .* verified clean; receipt /);
    const again = await run(['export', profileId]);
    expect(again.error?.message).toMatch(/No profile/);
  });
});
