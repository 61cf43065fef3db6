import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type ServerProcess } from './support/server-process.js';

const fixtures = fileURLToPath(new URL('./fixtures/rees46/', import.meta.url));
const writeKey = 'wk_e2e_import_key';
let dataDir: string;
let work: string;
let server: ServerProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-import-'));
  work = mkdtempSync(join(tmpdir(), 'attune-import-files-'));
  server = await startServer({
    ATTUNE_DATA_DIR: dataDir,
    ATTUNE_WRITE_KEY: writeKey,
    ATTUNE_ADMIN_KEY: 'sk_e2e_import_admin_key',
  });
});
afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

async function importFile(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = runCli(['import', ...args, '--url', server.url, '--write-key', writeKey], {});
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  proc.stdout.resume();
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  return { code, stderr };
}

function count(sql: string): number {
  const db = new Database(join(dataDir, 'attune.db'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('attune import', () => {
  it('imports the REES46 clickstream sample from CSV with a mapping, idempotently', async () => {
    const file = join(fixtures, '2019-Oct-first-2000.csv');
    const errors = join(work, 'rees46-errors.jsonl');
    const first = await importFile([
      file,
      '--mapping',
      join(fixtures, 'mapping.json'),
      '--errors',
      errors,
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/2,000 messages accepted/);
    expect(first.stderr).toMatch(/rows\/s/);
    expect(count("SELECT count(*) FROM events WHERE event = 'Product Viewed'")).toBe(1973);
    expect(count("SELECT count(*) FROM events WHERE event = 'Order Completed'")).toBe(19);
    expect(count('SELECT count(DISTINCT user_id) FROM events')).toBe(885);

    const again = await importFile([
      file,
      '--mapping',
      join(fixtures, 'mapping.json'),
      '--errors',
      errors,
    ]);
    expect(again.code).toBe(0);
    expect(count('SELECT count(*) FROM events')).toBe(2000);
  });

  it('imports Segment JSONL and writes bad lines to the errors file', async () => {
    const file = join(work, 'events.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ type: 'identify', userId: 'jsonl-1', traits: { plan: 'pro' } }),
        '{not json',
        JSON.stringify({ type: 'track', userId: 'jsonl-1', event: 'Signed Up' }),
        JSON.stringify({ type: 'track', userId: 'jsonl-1' }),
        '',
      ].join('\n'),
    );
    const result = await importFile([file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/2 messages accepted.*, 2 rejected/);
    const errors = readFileSync(`${file}.errors.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(errors.map((e) => [e.line, e.reason.split(':')[0]])).toEqual([
      [2, 'invalid_json'],
      [4, 'missing_field'],
    ]);
  });

  it('explains what is missing', async () => {
    const result = await importFile([join(fixtures, '2019-Oct-first-2000.csv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs --mapping/);
  });
});
