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
  close(): Promise<void>;
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
  const app = await createApp(config, overrides);
  return {
    app,
    config,
    dataDir,
    basicAuth: `Basic ${Buffer.from(`${testWriteKey}:`).toString('base64')}`,
    bearerAdmin: `Bearer ${testAdminKey}`,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
