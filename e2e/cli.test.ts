import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServer } from './support/server-process.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runCli(args, { ATTUNE_DATA_DIR: dataDir, ...env });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  return { code, stdout, stderr };
}

async function sendTrack(url: string, writeKey: string): Promise<number> {
  const res = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ userId: 'u', event: 'CLI test' }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('attune serve', () => {
  it('creates and prints keys on the first start only, and they work', async () => {
    const first = await startServer({ ATTUNE_DATA_DIR: dataDir });
    const writeKey = /write key \(default source\): (wk_\w+)/.exec(first.output())?.[1];
    const adminKey = /admin key:\s+(sk_\w+)/.exec(first.output())?.[1];
    expect(writeKey).toBeDefined();
    expect(adminKey).toBeDefined();
    expect(first.output()).toContain('curl -u');
    expect(await sendTrack(first.url, writeKey!)).toBe(200);
    await first.stop();

    const second = await startServer({ ATTUNE_DATA_DIR: dataDir });
    expect(second.output()).not.toMatch(/wk_\w+/);
    expect(second.output()).not.toMatch(/sk_\w+/);
    const events = await fetch(`${second.url}/v1/events`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(((await events.json()) as { events: unknown[] }).events).toHaveLength(1);
    await second.stop();
  });

  it('uses ATTUNE_WRITE_KEY and ATTUNE_ADMIN_KEY when given, and prints no keys', async () => {
    const server = await startServer({
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_WRITE_KEY: 'my-write-key-123',
      ATTUNE_ADMIN_KEY: 'my-admin-key-0123456789',
    });
    expect(server.output()).not.toContain('First start');
    expect(await sendTrack(server.url, 'my-write-key-123')).toBe(200);
    const events = await fetch(`${server.url}/v1/events`, {
      headers: { authorization: 'Bearer my-admin-key-0123456789' },
    });
    expect(events.status).toBe(200);
    await server.stop();
  });

  it('refuses an invalid configuration with every problem listed', async () => {
    const result = await cli(['serve'], { PORT: 'http', ATTUNE_DEDUP_WINDOW: 'soon' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT: an integer expected');
    expect(result.stderr).toContain('ATTUNE_DEDUP_WINDOW');
  });
});

describe('attune keys', () => {
  it('creates, lists and revokes keys, with only hashes stored', async () => {
    const created = await cli([
      'keys',
      'create',
      '--kind',
      'write',
      '--name',
      'web shop',
      '--source',
      'web',
    ]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^wk_[0-9A-Za-z]{32}$/);

    const listed = await cli(['keys', 'list', '--json']);
    const keys = JSON.parse(listed.stdout) as {
      id: string;
      name: string;
      sourceId: string;
      hint: string;
      revokedAt: string | null;
    }[];
    const mine = keys.find((k) => k.name === 'web shop');
    expect(mine).toMatchObject({ sourceId: 'web', revokedAt: null });
    expect(listed.stdout).not.toContain(key);
    expect(key.startsWith(mine!.hint.replace('…', ''))).toBe(true);

    const server = await startServer({ ATTUNE_DATA_DIR: dataDir });
    expect(await sendTrack(server.url, key)).toBe(200);
    const revoked = await cli(['keys', 'revoke', mine!.id]);
    expect(revoked.code).toBe(0);
    // The running server sees the revocation at once (keys are looked up per request).
    expect(await sendTrack(server.url, key)).toBe(401);
    await server.stop();

    const table = await cli(['keys', 'list']);
    expect(table.stdout).toMatch(/web shop\s+revoked/);
  });

  it('explains a bad kind and an unknown id', async () => {
    const badKind = await cli(['keys', 'create', '--kind', 'root', '--name', 'x']);
    expect(badKind.code).not.toBe(0);
    expect(badKind.stderr).toContain('--kind must be one of write, secret');
    const unknown = await cli(['keys', 'revoke', 'no-such-id']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No active key with id no-such-id');
  });
});

describe('one server per data directory', () => {
  it('refuses to start a second server on the same data directory', async () => {
    const first = await startServer({ ATTUNE_DATA_DIR: dataDir });
    try {
      const second = await cli(['serve'], { PORT: '0', HOST: '127.0.0.1' });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/already serving/);
    } finally {
      await first.stop();
    }
  });
});
