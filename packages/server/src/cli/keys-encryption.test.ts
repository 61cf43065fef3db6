import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { createApp, type AttuneApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { generateKeyMaterial } from '../platform/keyring.js';
import { testAdminKey, testWriteKey } from '../testing/test-app.fixture.js';
import { rotateData } from './keys-encryption.js';
import { keysCommand } from './keys.js';

const k1 = `k1:${generateKeyMaterial()}`;
const k2 = `k2:${generateKeyMaterial()}`;
const pseudonymKey = generateKeyMaterial();
const email = 'ada@lovelace.example';
const legacyEmail = 'charles@babbage.example';

let dataDir = '';
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const configWith = (keys: string) =>
  loadConfig({
    env: {
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_WRITE_KEY: testWriteKey,
      ATTUNE_ADMIN_KEY: testAdminKey,
      ATTUNE_LOG_LEVEL: 'silent',
      ATTUNE_ENCRYPTION_KEYS: keys,
      ATTUNE_PSEUDONYM_KEY: pseudonymKey,
    },
  });

async function settle(app: AttuneApp): Promise<void> {
  for (;;) {
    const last = await app.eventLog.lastOffset();
    await app.processor!.caughtUp(last);
    await app.mergeEvents.idle();
    if ((await app.eventLog.lastOffset()) === last) return;
  }
}

const allBytes = () =>
  Buffer.concat(
    readdirSync(dataDir)
      .filter((f) => f.endsWith('.db') || f.endsWith('-wal'))
      .map((f) => readFileSync(join(dataDir, f))),
  );

describe('attune keys rotate-data', () => {
  it('re-encrypts k1 data and legacy plaintext so a keyring with only k2 reads everything', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attune-rotate-'));
    const first = await createApp(configWith(k1));
    const ingest = await first.http.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: `Basic ${Buffer.from(`${testWriteKey}:`).toString('base64')}` },
      payload: {
        batch: [
          { type: 'page', anonymousId: 'dev-2', name: 'Home' },
          { type: 'identify', anonymousId: 'dev-1', traits: { email, name: 'Ada' } },
          { type: 'identify', userId: 'ada', anonymousId: 'dev-1' },
          { type: 'identify', userId: 'ada', anonymousId: 'dev-2' },
        ],
      },
    });
    expect(ingest.statusCode).toBe(200);
    await settle(first);
    await first.close();
    // An event as an Attune before encryption at rest stored it: all in the clear.
    const log = openDatabase(join(dataDir, 'attune.db'), { schema: 'log' });
    const legacy = { type: 'identify', userId: 'charles', traits: { email: legacyEmail } };
    log
      .prepare(
        `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp,
           original_timestamp, sent_at, received_at, message)
         VALUES ('default', 'legacy-1', 'identify', NULL, 'charles', NULL, 1, NULL, NULL, 1, ?)`,
      )
      .run(JSON.stringify(legacy));
    log.close();
    expect(allBytes().includes('enc:v1:k1:')).toBe(true);

    const progress: string[] = [];
    const results = rotateData(configWith(`${k1},${k2}`), 2, (p) => progress.push(p.target));
    expect(progress).toContain('events');
    expect(results.find((r) => r.target === 'events')?.rewritten).toBeGreaterThan(3);
    expect(allBytes().includes('enc:v1:k1:')).toBe(false);
    expect(allBytes().includes(legacyEmail)).toBe(false);
    // Resumable and idempotent: a second run finds nothing left to do.
    const again = rotateData(configWith(`${k1},${k2}`), 2, () => undefined);
    expect(again.every((r) => r.rewritten === 0)).toBe(true);

    const second = await createApp(configWith(k2));
    try {
      await settle(second);
      const get = (url: string) =>
        second.http.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${testAdminKey}` },
        });
      const profile = await get(`/v1/profiles/email:${email}`);
      expect(profile.statusCode).toBe(200);
      expect(profile.json<{ traits: unknown }>().traits).toMatchObject({ email, name: 'Ada' });
      const events = await get('/v1/events?userId=charles');
      expect(
        events.json<{ events: { message: unknown }[] }>().events.map((e) => e.message),
      ).toEqual([{ userId: 'charles', type: 'identify', traits: { email: legacyEmail } }]);
      const merged = await get('/v1/events?event=Identity%20Merged');
      expect(JSON.stringify(merged.json())).toContain('dev-');
    } finally {
      await second.close();
    }
  });

  it('adds the next key id to the keyring file; the newest is what new data uses', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attune-rotate-'));
    const config = { ...configWith(k1), privacy: { piiPaths: [], truncateIp: false } };
    const app = await createApp(config);
    const before = app.keyring.encrypt('x');
    await app.close();
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await keysCommand()
        .exitOverride()
        .parseAsync(['--data-dir', dataDir, 'add-encryption-key'], { from: 'user' });
    } finally {
      quiet.mockRestore();
    }
    const file = JSON.parse(readFileSync(join(dataDir, 'keyring.json'), 'utf8')) as {
      encryptionKeys: { id: string }[];
    };
    expect(file.encryptionKeys.map((k) => k.id)).toEqual(['k1', 'k2']);
    const reopened = await createApp(config);
    try {
      expect(reopened.keyring.currentKeyId).toBe('k2');
      expect(reopened.keyring.decrypt(before)).toBe('x');
    } finally {
      await reopened.close();
    }
  });

  it('refuses to run beside a server', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attune-rotate-'));
    const app = await createApp({
      ...configWith(k1),
      processor: { ...configWith(k1).processor, enabled: false },
    });
    try {
      expect(() => rotateData(configWith(`${k1},${k2}`), 10, () => undefined)).toThrow(
        /already serving/,
      );
    } finally {
      await app.close();
    }
  });
});
