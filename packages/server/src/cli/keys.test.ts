import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { keysCommand } from './keys.js';

let dataDir: string;
let out: string[];
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-keys-cli-'));
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dataDir, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  keysCommand().parseAsync(['--data-dir', dataDir, ...args], { from: 'user' });

describe('attune keys', () => {
  it('creates a secret key with a role and an expiry, lists it and audits the change', async () => {
    await run(
      'create',
      '--kind',
      'secret',
      '--name',
      'bi',
      '--role',
      'analyst',
      '--expires',
      '2099-01-01T00:00:00Z',
    );
    expect(out[0]).toMatch(/^sk_\w+\n$/);
    out.length = 0;
    await run('list', '--json');
    const [key] = JSON.parse(out.join('')) as { id: string; role: string; expiresAt: string }[];
    expect(key).toMatchObject({ role: 'analyst', expiresAt: '2099-01-01T00:00:00.000Z' });

    const db = openDatabase(join(dataDir, 'attune.db'), { schema: 'log' });
    try {
      expect(db.prepare(`SELECT action, method, target FROM audit_log`).all()).toEqual([
        { action: 'keys.create', method: 'CLI', target: key?.id },
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses an unknown role and an expiry in the past', async () => {
    await expect(
      run('create', '--kind', 'secret', '--name', 'x', '--role', 'root'),
    ).rejects.toThrow(/--role must be one of admin, marketer, analyst, viewer/);
    await expect(
      run('create', '--kind', 'secret', '--name', 'x', '--expires', '2001-01-01T00:00:00Z'),
    ).rejects.toThrow(/in the past/);
  });
});
