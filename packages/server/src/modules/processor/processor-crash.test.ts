import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventLog } from '../../adapters/sqlite/event-log.sqlite.js';
import { openDatabase } from '../../adapters/sqlite/open-database.js';
import type { NewEvent } from '../event-log/event-log.store.js';
import { testCipher } from '../../testing/test-cipher.js';

const child = fileURLToPath(new URL('./processor-child.fixture.ts', import.meta.url));
const total = 12_000;
let dir: string;
let file: string;
let stateFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-crash-'));
  file = join(dir, 'attune.db');
  stateFile = join(dir, 'state.db');
  const db = openDatabase(file, { schema: 'log' });
  const log = await SqliteEventLog.open({
    file,
    db,
    cipher: testCipher(),
    dedupWindowMs: 86_400_000,
  });
  const names = ['Viewed', 'Added', 'Bought'];
  for (let start = 0; start < total; start += 1000) {
    const batch: NewEvent[] = Array.from({ length: 1000 }, (_, i) => ({
      sourceId: 'web',
      messageId: `c-${start + i}`,
      type: 'track',
      event: names[(start + i) % 3] as string,
      userId: `u-${(start + i) % 97}`,
      anonymousId: null,
      timestamp: start + i,
      originalTimestamp: null,
      sentAt: null,
      receivedAt: start + i,
      message: JSON.stringify({ i: start + i }),
    }));
    await log.append(batch);
  }
  await log.close();
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startChild(): {
  proc: ChildProcess;
  progress: () => number;
  exited: Promise<number | null>;
} {
  const proc = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', child, file, stateFile, '20'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let committed = 0;
  let buffered = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^committed (\d+)$/.exec(line);
      if (m) committed = Number(m[1]);
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  return { proc, progress: () => committed, exited };
}

function committedOffset(): number {
  const db = openDatabase(stateFile, { schema: 'state' });
  try {
    return Number(
      db
        .prepare("SELECT committed_offset FROM processor_offsets WHERE name = 'main'")
        .pluck()
        .get() ?? 0,
    );
  } finally {
    db.close();
  }
}

describe('processor crash safety', () => {
  it('neither skips nor repeats an event when SIGKILLed mid-processing', async () => {
    const killedAt: number[] = [];
    for (const target of [1500, 5000, 8500]) {
      const run = startChild();
      await expect
        .poll(run.progress, { timeout: 60_000, interval: 5 })
        .toBeGreaterThanOrEqual(target);
      run.proc.kill('SIGKILL');
      await run.exited;
      killedAt.push(committedOffset());
    }
    // Each kill landed mid-way through the log, later each time.
    expect(killedAt[0]).toBeGreaterThan(0);
    expect(killedAt[2]).toBeLessThan(total);
    expect([...killedAt].sort((a, b) => a - b)).toEqual(killedAt);

    const last = startChild();
    expect(await last.exited).toBe(0);

    const db = openDatabase(stateFile, { schema: 'state' });
    try {
      const ledger = db
        .prepare(
          'SELECT count(*) AS rows, min(seq) AS lo, max(seq) AS hi, max(applied) AS most, min(applied) AS least FROM test_ledger',
        )
        .get();
      expect(ledger).toEqual({ rows: total, lo: 1, hi: total, most: 1, least: 1 });
      const volume = db.prepare('SELECT sum(count) FROM event_volume').pluck().get();
      expect(volume).toBe(total);
      expect(committedOffset()).toBe(total);
    } finally {
      db.close();
    }
  }, 120_000);
});
