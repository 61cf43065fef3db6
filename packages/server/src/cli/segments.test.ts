import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { startTestApp, testAdminKey, type TestApp } from '../testing/test-app.fixture.js';
import { progressBar } from './progress-bar.js';
import type { CliIo } from './admin-command.js';
import { segmentsCommand } from './segments.js';

let t: TestApp;
let url: string;
let work: string;

beforeAll(async () => {
  t = await startTestApp();
  url = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  work = mkdtempSync(join(tmpdir(), 'attune-segments-cli-'));
  const now = new Date().toISOString();
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: {
      batch: [
        { type: 'track', userId: 'ann', event: 'Order Completed', timestamp: now },
        { type: 'track', userId: 'bob', event: 'Product Viewed', timestamp: now },
        { type: 'identify', userId: 'cy', traits: { plan: 'pro' }, timestamp: now },
      ],
    },
  });
  expect(res.statusCode).toBe(200);
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
});
afterAll(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `attune segments …` in this process against the test server. */
async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: () => env,
  };
  const command = segmentsCommand(io).exitOverride();
  let error: Error | null = null;
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e as Error;
  }
  return { stdout, stderr, error };
}

const server = ['--url', '', '--admin-key', testAdminKey];
const withServer = (...args: string[]) => [...args, ...server.map((a) => (a === '' ? url : a))];

function file(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('attune segments', () => {
  it('create prints the segment; backfill follows it until ready; list and delete', async () => {
    const def = file('buyers.json', {
      name: 'Buyers',
      condition: { type: 'event', event: 'Order Completed' },
    });
    const created = await run(withServer('create', '-f', def));
    expect(created.error).toBeNull();
    const segment = JSON.parse(created.stdout) as { id: string; version: number };
    expect(segment).toMatchObject({ id: 'buyers', version: 1 });
    expect(created.stderr).toContain('attune segments backfill buyers');

    const backfill = await run(withServer('backfill', 'buyers', '--interval', '50'));
    expect(backfill.error).toBeNull();
    expect(backfill.stdout).toBe('buyers is ready (version 1): 1 members\n');
    expect(backfill.stderr).toContain('[####################] 100%  3/3 profiles');

    const list = await run(withServer('list'));
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+VERSION\s+STATE\s+SIZE$/);
    expect(list.stdout).toMatch(/buyers\s+Buyers\s+1\s+ready\s+1/);
    const json = await run(withServer('list', '--json'));
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id: 'buyers' })]);

    const deleted = await run(withServer('delete', 'buyers'));
    expect(deleted.error).toBeNull();
    expect(deleted.stderr).toBe('deleted segment buyers\n');
    const again = await run(withServer('delete', 'buyers'));
    expect(again.error?.message).toBe('buyers: not_found: No segment buyers');
  });

  it('draws the progress of a backfill as the processor reports it', async () => {
    const created = await run(
      withServer('create', '-f', file('pro.json', { id: 'pro', name: 'Pro', condition: pro })),
    );
    expect(created.error).toBeNull();
    // The status as a long backfill would report it: 1 of 3 profiles done, and stuck.
    const stateDb = openDatabase(join(t.dataDir, 'state.db'), { schema: 'state' });
    await t.app.processor!.stop();
    try {
      stateDb
        .prepare(
          `INSERT INTO segment_status (segment_id, version, state, active_from_offset,
             profiles_done, profiles_total, started_at) VALUES ('pro', 1, 'backfilling', 1, 1, 3, 0)
           ON CONFLICT (segment_id) DO UPDATE SET state = 'backfilling', profiles_done = 1,
             profiles_total = 3, version = 1`,
        )
        .run();
      const following = run(withServer('backfill', 'pro', '--interval', '20'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      stateDb
        .prepare(
          `UPDATE segment_status SET state = 'ready', profiles_done = 3 WHERE segment_id = 'pro'`,
        )
        .run();
      const done = await following;
      expect(done.error).toBeNull();
      expect(done.stderr).toContain('[#######.............]  33%  1/3 profiles, 0 profiles/s');
      expect(done.stderr).toMatch(/\[#{20}\] 100% {2}3\/3 profiles, [\d,]+ profiles\/s/);
      expect(done.stdout).toMatch(/^pro is ready \(version 1\)/);
      const timedOut = await run(withServer('backfill', 'ghost', '--timeout', '1'));
      expect(timedOut.error?.message).toBe('ghost: not_found: No segment ghost');
    } finally {
      stateDb.close();
    }
  });

  it('explains a bad definition file with the code and the field at fault', async () => {
    const bad = file('bad.json', {
      name: 'Recent buyers',
      condition: {
        type: 'event',
        event: 'Order Completed',
        window: { last: { amount: 0, unit: 'days' } },
      },
    });
    const refused = await run(withServer('create', '-f', bad));
    expect(refused.error?.message).toMatch(
      new RegExp(`^${bad}: invalid_condition at /condition/window/last/amount: .+`),
    );
    const unnamed = await run(withServer('create', '-f', file('unnamed.json', { condition: pro })));
    expect(unnamed.error?.message).toMatch(/unnamed\.json: invalid_request at \/name: /);
    const notJson = await run(withServer('create', '-f', file('broken.json', '{"name": ')));
    expect(notJson.error?.message).toMatch(/broken\.json is not valid JSON: /);
    const missing = await run(withServer('create', '-f', join(work, 'nope.json')));
    expect(missing.error?.message).toMatch(/cannot read .*nope\.json: ENOENT/);
    const noKey = await run(['create', '-f', bad, '--url', url]);
    expect(noKey.error?.message).toBe('give an admin key: --admin-key or ATTUNE_ADMIN_KEY');
    const wrongKey = await run(['list', '--url', url], { ATTUNE_ADMIN_KEY: 'sk_wrong' });
    expect(wrongKey.error?.message).toMatch(/^listing segments: invalid_api_key: /);
    const down = await run(['list', '--url', 'http://127.0.0.1:1', '--admin-key', 'k']);
    expect(down.error?.message).toMatch(/^cannot reach Attune at http:\/\/127\.0\.0\.1:1: /);
  });

  it('the attune binary prints the problem on one line and exits 1', async () => {
    const bad = file('cli-bad.json', {
      name: 'Bad',
      condition: { type: 'and', conditions: [pro, { type: 'trait', trait: 'x', op: 'gt' }] },
    });
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const proc = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        main,
        ...withServer('segments', 'create', '-f', bad),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.stdout.resume();
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^error: ${bad}: invalid_condition at /condition/conditions/1/value: .+\\n$`),
    );
  });
});

describe('the progress bar', () => {
  it('fills by twentieths and clamps', () => {
    expect(progressBar(0)).toBe('[....................]   0%');
    expect(progressBar(0.5)).toBe('[##########..........]  50%');
    expect(progressBar(2)).toBe('[####################] 100%');
    expect(progressBar(Number.NaN)).toBe('[....................]   0%');
  });
});

const pro = { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' };
