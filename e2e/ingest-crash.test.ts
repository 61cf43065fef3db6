import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './support/server-process.js';

const writeKey = 'wk_e2e_crash_test';
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-ingest-crash-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function batchBody(ids: string[]): string {
  return JSON.stringify({
    batch: ids.map((messageId, i) => ({
      type: i % 3 === 0 ? 'identify' : 'track',
      event: 'Product Viewed',
      messageId,
      userId: `user-${i % 17}`,
      properties: { sku: messageId },
    })),
    sentAt: new Date().toISOString(),
  });
}

async function send(server: ServerProcess, ids: string[]): Promise<boolean> {
  try {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: batchBody(ids),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // connection died with the server: not acknowledged
  }
}

function storedCounts(): Map<string, number> {
  const db = new Database(join(dataDir, 'attune.db'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT message_id, count(*) AS n FROM events GROUP BY message_id')
      .all() as { message_id: string; n: number }[];
    return new Map(rows.map((r) => [r.message_id, r.n]));
  } finally {
    db.close();
  }
}

describe('ingest crash safety', () => {
  it('keeps every acknowledged message exactly once across SIGKILLs', async () => {
    const env = {
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_WRITE_KEY: writeKey,
      ATTUNE_ADMIN_KEY: 'sk_e2e_crash_test_admin',
    };
    const acked: string[][] = [];
    const unacked: string[][] = [];
    let sequence = 0;
    // Three crash cycles, many small requests in flight: a reply sent before the commit is
    // durable would be caught with high probability.
    for (let cycle = 0; cycle < 3; cycle++) {
      const server = await startServer(env);
      let stop = false;
      const sender = async (lane: number): Promise<void> => {
        while (!stop) {
          const ids = Array.from({ length: 20 }, () => `crash-${cycle}-${lane}-${sequence++}`);
          ((await send(server, ids)) ? acked : unacked).push(ids);
        }
      };
      const target = acked.length + 150;
      const lanes = Array.from({ length: 24 }, (_, lane) => sender(lane));
      await expect
        .poll(() => acked.length, { timeout: 30_000, interval: 5 })
        .toBeGreaterThanOrEqual(target);
      server.proc.kill('SIGKILL');
      await server.exited;
      stop = true;
      await Promise.all(lanes);
    }

    const afterCrash = storedCounts();
    const ackedIds = acked.flat();
    expect(ackedIds.length).toBeGreaterThanOrEqual(9000);
    const missing = ackedIds.filter((id) => afterCrash.get(id) !== 1);
    expect(missing).toEqual([]);
    for (const n of afterCrash.values()) expect(n).toBe(1);

    // Restart, and let the "SDKs" retry: every unacknowledged batch and some acknowledged ones.
    const restarted = await startServer(env);
    try {
      for (const ids of [...unacked, ...acked.slice(0, 20)])
        expect(await send(restarted, ids)).toBe(true);
    } finally {
      await restarted.stop();
    }
    const afterRetry = storedCounts();
    const everyId = [...ackedIds, ...unacked.flat()];
    expect(everyId.filter((id) => afterRetry.get(id) !== 1)).toEqual([]);
    expect(afterRetry.size).toBe(everyId.length);
  }, 120_000);
});
