import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('lets one holder in and releases on request', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    release();
    expect(existsSync(join(dir, 'server.pid'))).toBe(false);
    lockDataDir(dir)();
  });

  it('refuses a directory held by another running process', async () => {
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'server.pid'), String(other.pid));
      expect(() => lockDataDir(dir)).toThrow(/already serving/);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
  });

  it('takes over the lock of a process that is gone (crash, kill -9)', async () => {
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(dir, 'server.pid'), String(gone.pid));
    lockDataDir(dir)();
  });

  it('takes over its own pid left by an earlier run (containers restart as pid 1)', () => {
    writeFileSync(join(dir, 'server.pid'), String(process.pid));
    lockDataDir(dir)();
  });
});
