import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type AppOverrides, type AttuneApp } from '../app.js';
import { loadConfig, type Config } from '../config/config.js';

export const testWriteKey = 'wk_test_write_key_0001';
export const testAdminKey = 'sk_test_admin_key_00000001';

export interface TestApp {
  app: AttuneApp;
  config: Config;
  dataDir: string;
  basicAuth: string;
  bearerAdmin: string;
  /** Closes the app and starts it again on the same data directory, as a restart would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** An answer of the app's HTTP API, its JSON body parsed ({} when empty). */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | number | undefined>;
}

/** Calls the app's HTTP API in-process, with a JSON body when one is given. */
export async function callApi(
  app: AttuneApp,
  method: string,
  url: string,
  payload: object | undefined,
  authorization: string,
): Promise<ApiAnswer> {
  const res = await app.http.inject({
    method: method as 'GET',
    url,
    headers: { authorization },
    ...(payload === undefined ? {} : { payload }),
  });
  return {
    status: res.statusCode,
    body: res.body === '' ? {} : res.json<Record<string, unknown>>(),
    headers: res.headers,
  };
}

/**
 * Waits until the processor has processed everything in the log and the outboxes have
 * announced what it made (merges, memberships, stages), until the log stops growing.
 */
export async function settle(app: AttuneApp): Promise<void> {
  for (;;) {
    const last = await app.eventLog.lastOffset();
    await app.processor!.caughtUp(last);
    for (const relay of [app.mergeEvents, app.segmentEvents, app.stageEvents]) await relay.idle();
    if ((await app.eventLog.lastOffset()) === last) return;
  }
}

/** A real Attune (SQLite in a temp dir, real writer thread) for a test. */
export async function startTestApp(
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-test-'));
  const config = loadConfig({
    env: {
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_WRITE_KEY: testWriteKey,
      ATTUNE_ADMIN_KEY: testAdminKey,
      ATTUNE_LOG_LEVEL: 'silent',
      ...env,
    },
  });
  const test: TestApp = {
    app: await createApp(config, overrides),
    config,
    dataDir,
    basicAuth: `Basic ${Buffer.from(`${testWriteKey}:`).toString('base64')}`,
    bearerAdmin: `Bearer ${testAdminKey}`,
    async restart() {
      await test.app.close();
      test.app = await createApp(config, overrides);
    },
    async close() {
      await test.app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}
