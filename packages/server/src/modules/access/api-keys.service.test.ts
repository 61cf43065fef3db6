import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteApiKeyStore } from '../../adapters/sqlite/api-key-store.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import { uuidGenerator } from '../../platform/ids.js';
import { TempDirs } from '../../testing/temp-dirs.js';
import { ApiKeysService, writeKeyRecordMaxAgeMs } from './api-keys.service.js';

const dirs = new TempDirs();
afterAll(() => dirs.removeAll());

/** The server's service and a second one on the same file, as `attune keys` would be. */
function twoProcesses() {
  const file = join(dirs.make('attune-keys-'), 'attune.db');
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const server = new ApiKeysService(
    new SqliteApiKeyStore(openDatabase(file, { schema: 'log' })),
    clock,
    uuidGenerator,
  );
  const cli = new ApiKeysService(
    new SqliteApiKeyStore(openDatabase(file, { schema: 'log' })),
    clock,
    uuidGenerator,
  );
  return { server, cli, clock };
}

describe('write key checks, remembered for a moment', () => {
  it('refuse a key revoked through the same service at once', async () => {
    const { server } = twoProcesses();
    const { key, info } = await server.create({ kind: 'write', name: 'web', sourceId: 'web' });
    expect(await server.authenticateWriteKey(key)).toMatchObject({ ok: true, sourceId: 'web' });
    await server.revoke(info.id);
    expect(await server.authenticateWriteKey(key)).toMatchObject({ ok: false });
  });

  it('refuse a key revoked by another process within the maximum age', async () => {
    const { server, cli, clock } = twoProcesses();
    const { key, info } = await server.create({ kind: 'write', name: 'web', sourceId: 'web' });
    expect((await server.authenticateWriteKey(key)).ok).toBe(true);
    await cli.revoke(info.id);
    clock.advance(writeKeyRecordMaxAgeMs - 1);
    expect((await server.authenticateWriteKey(key)).ok).toBe(true);
    clock.advance(1);
    expect(await server.authenticateWriteKey(key)).toMatchObject({
      ok: false,
      code: 'invalid_write_key',
    });
  });

  it('accept a key created by another process within the maximum age', async () => {
    const { server, cli, clock } = twoProcesses();
    const value = 'wk_created_elsewhere_0001';
    // Asked before it exists: unknown, and remembered so for a moment.
    expect((await server.authenticateWriteKey(value)).ok).toBe(false);
    await cli.ensureWriteKey(value, 'app', 'app key');
    expect((await server.authenticateWriteKey(value)).ok).toBe(false);
    clock.advance(writeKeyRecordMaxAgeMs);
    expect(await server.authenticateWriteKey(value)).toMatchObject({ ok: true, sourceId: 'app' });
  });

  it('still check expiry on a remembered key', async () => {
    const { server, clock } = twoProcesses();
    const expiresAt = new Date(clock.now() + 500).toISOString();
    const { key } = await server.create({
      kind: 'write',
      name: 'temp',
      sourceId: 'web',
      expiresAt,
    });
    expect((await server.authenticateWriteKey(key)).ok).toBe(true);
    clock.advance(500);
    expect((await server.authenticateWriteKey(key)).ok).toBe(false);
  });
});
