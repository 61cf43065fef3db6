/**
 * `npm run bench:erase`: how long DELETE /v1/privacy/profiles/{id} takes for a person with
 * BENCH_ERASE_EVENTS events (default 10,000) among other people's events, on a real Attune
 * (processor thread on). Erases BENCH_ERASE_SUBJECTS subjects (default 3) and prints the
 * median wall time of the request (suppression, log and state deletion, verification scan).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../packages/server/src/app.js';
import { loadConfig } from '../../packages/server/src/config/config.js';

const events = Number(process.env['BENCH_ERASE_EVENTS'] ?? 10_000);
const subjects = Number(process.env['BENCH_ERASE_SUBJECTS'] ?? 3);
const others = Number(process.env['BENCH_ERASE_OTHER_EVENTS'] ?? 20_000);
const writeKey = 'wk_bench_erase_0000001';
const adminKey = 'sk_bench_erase_00000001';

const dataDir = mkdtempSync(join(tmpdir(), 'attune-bench-erase-'));
const app = await createApp(
  loadConfig({
    env: {
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_WRITE_KEY: writeKey,
      ATTUNE_ADMIN_KEY: adminKey,
      ATTUNE_LOG_LEVEL: 'silent',
    },
  }),
);
const basic = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const bearer = `Bearer ${adminKey}`;

async function send(batch: object[]): Promise<void> {
  for (let i = 0; i < batch.length; i += 500) {
    const res = await app.http.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic },
      payload: { batch: batch.slice(i, i + 500) },
    });
    if (res.statusCode !== 200) throw new Error(`ingest failed: ${res.body}`);
  }
}

const track = (userId: string, n: number) => ({
  type: 'track',
  userId,
  event: n % 10 === 0 ? 'Order Completed' : 'Product Viewed',
  properties: { sku: `sku-${n % 97}`, revenue: n % 50 },
});
// Subjects' events interleaved with everyone else's, as in a real log.
const queues: object[][] = Array.from({ length: subjects }, (_, s) => [
  { type: 'identify', userId: `subject-${s}`, traits: { email: `s${s}@example.com` } },
  ...Array.from({ length: events - 1 }, (_, n) => track(`subject-${s}`, n)),
]);
queues.push(Array.from({ length: others }, (_, n) => track(`other-${n % 1000}`, n)));
const mixed: object[] = [];
const next = queues.map(() => 0);
for (let seed = 7; mixed.length < subjects * events + others;) {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  const open = queues.flatMap((q, i) => ((next[i] as number) < q.length ? [i] : []));
  const pick = open[seed % open.length] as number;
  mixed.push((queues[pick] as object[])[(next[pick] as number)++] as object);
}
const started = performance.now();
await send(mixed);
await app.processor?.caughtUp(await app.eventLog.lastOffset());
const loaded = Math.round(performance.now() - started);

const times: number[] = [];
for (let s = 0; s < subjects; s++) {
  const profile = await app.http.inject({
    method: 'GET',
    url: `/v1/profiles/user_id:subject-${s}`,
    headers: { authorization: bearer },
  });
  const { id, eventCount } = profile.json<{ id: string; eventCount: number }>();
  const t0 = performance.now();
  const res = await app.http.inject({
    method: 'DELETE',
    url: `/v1/privacy/profiles/${id}`,
    headers: { authorization: bearer },
  });
  const ms = performance.now() - t0;
  const receipt = res.json<{ verified: boolean; deleted: Record<string, number> }>();
  if (res.statusCode !== 200 || !receipt.verified) throw new Error(`erase failed: ${res.body}`);
  times.push(ms);
  console.log(
    `  subject ${s}: ${eventCount} events, ${receipt.deleted['attune.events']} log rows deleted in ${ms.toFixed(0)} ms`,
  );
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] as number;
const logSize = await app.eventLog.lastOffset();
console.log(
  `(log of ${logSize.toLocaleString('en-US')} events, loaded and processed in ${loaded} ms)`,
);
console.log(
  `erase: profile with ${events.toLocaleString('en-US')} events erased in ${median.toFixed(0)} ms (median of ${subjects})`,
);
await app.close();
rmSync(dataDir, { recursive: true, force: true });
