import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testAdminKey, type TestApp } from '../testing/test-app.fixture.js';
import type { CliIo } from './admin-command.js';
import { rfmCommand } from './rfm.js';

let t: TestApp;
let url: string;

beforeAll(async () => {
  t = await startTestApp({ ATTUNE_RFM_RECOMPUTE_HOURS: '0' });
  url = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  const day = 86_400_000;
  const batch = ['ann', 'bob', 'cy'].flatMap((userId, i) =>
    Array.from({ length: i + 1 }, (_, k) => ({
      type: 'track',
      userId,
      event: 'Order Completed',
      properties: { revenue: 20 * (i + 1) },
      timestamp: new Date(Date.now() - (10 * i + k + 1) * day).toISOString(),
    })),
  );
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: { batch },
  });
  expect(res.statusCode).toBe(200);
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
});
afterAll(async () => t.close());

/** Runs `attune rfm …` in this process against the test server. */
async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: () => env,
  };
  let error: Error | null = null;
  try {
    await rfmCommand(io)
      .exitOverride()
      .parseAsync([...args, '--url', url], { from: 'user' });
  } catch (e) {
    error = e as Error;
  }
  return { stdout, stderr, error };
}

describe('attune rfm', () => {
  it('recompute prints the new breakpoints, then that they are unchanged', async () => {
    const first = await run(['recompute', '--admin-key', testAdminKey]);
    expect(first.error).toBeNull();
    expect(first.stdout).toMatch(
      /^RFM breakpoints version 1 \(new\): 3 customers, 3 profiles scanned in [\d,]+ ms\n/,
    );
    expect(first.stdout).toMatch(/frequency\s+1\.4\s+1\.8\s+2\.2\s+2\.6\n/);
    const again = await run(['recompute', '--json'], { ATTUNE_ADMIN_KEY: testAdminKey });
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, snapshot: { version: 1 } });
  });

  it('install-segments creates the eleven, then skips them', async () => {
    const first = await run(['install-segments', '--admin-key', testAdminKey]);
    expect(first.error).toBeNull();
    expect(first.stdout).toMatch(/^created 11: rfm-champions, rfm-loyal, .*rfm-lost\nskipped 0/);
    const again = await run(['install-segments', '--admin-key', testAdminKey]);
    expect(again.stdout).toMatch(/^created 0: -\nskipped 11 \(id taken\): rfm-champions/);
  });

  it('without an admin key: a usage error', async () => {
    const { error } = await run(['recompute']);
    expect(error?.message).toMatch(/--admin-key or ATTUNE_ADMIN_KEY/);
  });
});
