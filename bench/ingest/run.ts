/**
 * npm run bench:ingest — Attune's durable ingest against a floor server that only parses
 * the same bodies, driven by the same load generator in its own process, in alternating
 * rounds so machine noise hits both. Prints medians and the ratio attune/floor.
 *
 * Env: BENCH_DURATION (s, default 15), BENCH_CONNECTIONS (16), BENCH_ROUNDS (2),
 * BENCH_WARMUP (s, 3).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messagesPerBatch } from './payloads.js';
import { runNode, startNode, type Started } from './processes.js';

const duration = Number(process.env['BENCH_DURATION'] ?? 15);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const warmup = Number(process.env['BENCH_WARMUP'] ?? 3);
const writeKey = 'wk_bench_ingest_key';
const adminKey = 'sk_bench_ingest_admin_key';
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const tsx = ['--conditions=source', '--import', 'tsx'];
const cli = fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));

interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50: number;
  p99: number;
  nextRequest: number;
}

interface Round {
  eventsPerSecond: number;
  p50: number;
  p99: number;
}

interface AttuneRound extends Round {
  acknowledged: number;
  stored: number;
  lagAtEnd: number;
  catchUpSeconds: number | null;
}

let requestNumber = 0;

async function load(url: string, seconds: number): Promise<LoadResult> {
  const out = await runNode([...tsx, here('./load.ts')], {
    BENCH_URL: `${url}/v1/batch`,
    BENCH_DURATION: String(seconds),
    BENCH_CONNECTIONS: String(connections),
    BENCH_AUTH: auth,
    BENCH_FIRST: String(requestNumber),
  });
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult;
  requestNumber = result.nextRequest + 1000; // gap: requests still in flight at the end
  return result;
}

function asRound(result: LoadResult): Round {
  return {
    eventsPerSecond: (result.ok * messagesPerBatch) / result.seconds,
    p50: result.p50,
    p99: result.p99,
  };
}

async function metrics(url: string): Promise<{ lastOffset: number; lag: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    lastOffset: read(/^attune_event_log_last_offset (\d+)/m),
    lag: read(/^attune_processor_lag_events\{processor="main"\} (\d+)/m),
  };
}

async function floorRound(): Promise<Round> {
  const floor = await startNode(
    [...tsx, here('./floor-server.ts')],
    {},
    /floor listening on (http:\S+)/,
  );
  try {
    await load(floor.url, warmup);
    const result = await load(floor.url, duration);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`floor answered ${result.non2xx} non-2xx, ${result.errors} errors`);
    return asRound(result);
  } finally {
    await floor.stop();
  }
}

async function attuneRound(): Promise<AttuneRound> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attune-bench-'));
  let attune: Started | undefined;
  try {
    attune = await startNode(
      [cli, 'serve'],
      {
        ATTUNE_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        ATTUNE_WRITE_KEY: writeKey,
        ATTUNE_ADMIN_KEY: adminKey,
        ATTUNE_LOG_LEVEL: 'warn',
      },
      /Attune is listening on (http:\S+)/,
    );
    const warm = await load(attune.url, warmup);
    const result = await load(attune.url, duration);
    const atEnd = await metrics(attune.url);
    const started = performance.now();
    let catchUpSeconds: number | null = null;
    for (
      let lag = atEnd.lag;
      performance.now() - started < 60_000;
      lag = (await metrics(attune.url)).lag
    ) {
      if (lag === 0) {
        catchUpSeconds = (performance.now() - started) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { lastOffset } = await metrics(attune.url);
    if (result.non2xx > 0 || result.errors > 0 || warm.non2xx > 0) {
      throw new Error(
        `Attune answered ${result.non2xx + warm.non2xx} non-2xx and ${result.errors} errors`,
      );
    }
    return {
      ...asRound(result),
      acknowledged: (warm.ok + result.ok) * messagesPerBatch,
      stored: lastOffset,
      lagAtEnd: atEnd.lag,
      catchUpSeconds,
    };
  } finally {
    await attune?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const floors: Round[] = [];
const attunes: AttuneRound[] = [];
console.log(
  `bench:ingest — ${rounds} rounds × ${duration} s, ${connections} connections, ${messagesPerBatch} messages per request`,
);
for (let r = 0; r < rounds; r++) {
  floors.push(await floorRound());
  console.log(`  round ${r + 1} floor : ${fmt(floors[r]!.eventsPerSecond)} events/s`);
  attunes.push(await attuneRound());
  console.log(`  round ${r + 1} attune: ${fmt(attunes[r]!.eventsPerSecond)} events/s`);
}

const summary = (rs: Round[]) => ({
  eventsPerSecond: median(rs.map((x) => x.eventsPerSecond)),
  p50: median(rs.map((x) => x.p50)),
  p99: median(rs.map((x) => x.p99)),
});
const floor = summary(floors);
const attune = summary(attunes);
const ratio = attune.eventsPerSecond / floor.eventsPerSecond;
// Requests still in flight when a load run stops may be stored without being counted as
// acknowledged: at most one per connection per run (warm-up and measured).
const inFlightBound = 2 * connections * messagesPerBatch;
const logHolds = (a: AttuneRound): boolean =>
  a.stored >= a.acknowledged && a.stored <= a.acknowledged + inFlightBound;
const lost = attunes.filter((a) => !logHolds(a));
const lagAtEnd = median(attunes.map((a) => a.lagAtEnd));
const catchUps = attunes.map((a) => a.catchUpSeconds);

console.log('');
console.log(
  `floor   : ${fmt(floor.eventsPerSecond)} events/s  p50 ${floor.p50} ms  p99 ${floor.p99} ms  (rounds: ${floors.map((f) => fmt(f.eventsPerSecond)).join(', ')})`,
);
console.log(
  `attune  : ${fmt(attune.eventsPerSecond)} events/s  p50 ${attune.p50} ms  p99 ${attune.p99} ms  (rounds: ${attunes.map((a) => fmt(a.eventsPerSecond)).join(', ')})`,
);
console.log(`ratio attune/floor: ${ratio.toFixed(2)}  (target >= 0.6)`);
console.log(`absolute: ${fmt(attune.eventsPerSecond)} events/s durable (target >= 50,000)`);
console.log(
  `processor: lag at end of load ${fmt(lagAtEnd)} events (median); caught up in ${catchUps.map((c) => (c === null ? '>60 s' : `${c.toFixed(1)} s`)).join(', ')}`,
);
for (const a of attunes) {
  console.log(
    `log check: acknowledged ${fmt(a.acknowledged)} events, log holds ${fmt(a.stored)} (at most ${fmt(inFlightBound)} more may have been in flight): ${logHolds(a) ? 'OK' : 'MISMATCH'}`,
  );
}

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `ingest-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ duration, connections, rounds, floors, attunes, floor, attune, ratio }, null, 2),
);
console.log(`results: ${file}`);
if (lost.length > 0) process.exit(1);
