/**
 * npm run bench:decide — the decide API and its rule evaluation.
 *
 * 1. Rule evaluation alone: Attune's compiled conditions vs json-rules-engine on the same
 *    1,000 rules and facts (same answers checked), in this process.
 * 2. Attune with 100k profiles (identify + a few events each), 20 segments, 20 placements ×
 *    10 rules over them. Each decide asks for 3 placements of a known visitor (9 in 10) or
 *    an unknown one, with a page context; decisions are logged as usual.
 *    - latency at a fixed 1,000 requests/s (open loop), against the floor at the same rate,
 *      and again with "log": false, in 3 rounds (the p99 reported is the rounds' median);
 *    - the most requests/s (16 connections), rounds alternating floor and Attune.
 *    - live pushes: new visitors subscribe over /v1/live, then send the event that changes
 *      their decision; from the event's 200 to the push, during 300 decides/s.
 *    The floor is a bare Fastify route answering a constant JSON of a real answer's size.
 *
 * Flags: --quick (10k profiles, shorter phases); --cpu-prof-dir <dir> (CPU profiles of the
 * server's threads, written when it stops).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killChildrenOnExit, onExit, startNode } from '../ingest/processes.js';
import { Random } from '../ingest/random.js';
import { attuneCli } from '../ingest/rounds.js';
import { AttuneServer, authorization, writeKey } from '../segments/server.js';
import { liveProbes, probePlacement, probeSegment } from './live-probes.js';
import { median } from '../ingest/report.js';
import { met, percentile } from '../segments/report.js';
import { fixedRate, maxThroughput, type FixedRateResult } from './load.js';
import { compareRuleEngines } from './rule-engines.js';
import {
  campaigns,
  categories,
  countries,
  devices,
  paths,
  placementMix,
  plans,
  segmentMix,
} from './rule-mix.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'cpu-prof-dir': { type: 'string' } },
});
const profileDir = values['cpu-prof-dir'];
const quick = values.quick === true;
const settings = {
  profiles: quick ? 10_000 : 100_000,
  rate: 1000,
  latencySeconds: quick ? 5 : 10,
  latencyRounds: quick ? 1 : 3,
  maxSeconds: quick ? 4 : 10,
  rounds: 2,
  connections: 16,
  seed: 1,
  liveProbes: quick ? 20 : 100,
  liveSeconds: quick ? 5 : 20,
};
killChildrenOnExit();
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

console.log(
  `bench:decide — ${fmt(settings.profiles)} profiles, 20 segments, 20 placements × 10 rules; 3 placements per decide; latency at ${settings.rate} req/s for ${settings.latencySeconds} s; max throughput ${settings.rounds} × (floor, Attune) × ${settings.maxSeconds} s, ${settings.connections} connections`,
);

// 1. Rule evaluation alone.
const engines = await compareRuleEngines({
  rules: 1000,
  profiles: 200,
  rounds: 5,
  seed: settings.seed,
});
const engineRatio = engines.jsonRulesEngineMicros / engines.attuneMicros;
console.log(
  `rule evaluation, 1,000 rules × ${engines.profiles} profiles (${fmt(engines.matchesPerProfile, 1)} hold per profile, same in both): Attune ${fmt(engines.attuneMicros, 1)} µs per profile, json-rules-engine ${fmt(engines.jsonRulesEngineMicros, 0)} µs (medians of ${engines.roundsAttune.length} rounds)`,
);
console.log(
  `ratio json-rules-engine / Attune: ${fmt(engineRatio, 0)}×  (target >= 100×: ${met(engineRatio >= 100)})`,
);

// 2. Attune with profiles, segments and placements.
const dataDir = mkdtempSync(join(tmpdir(), 'attune-bench-decide-'));
onExit(() => rmSync(dataDir, { recursive: true, force: true }));
const server = await AttuneServer.start(attuneCli, dataDir, {
  processor: true,
  ...(profileDir === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }),
  env: { ATTUNE_RATE_LIMIT_WRITE: '0' },
});
const loadStarted = performance.now();
const r = new Random(settings.seed);
const userId = (i: number) => `user-${i}`;
const batches: string[] = [];
for (let first = 0; first < settings.profiles; first += 150) {
  const batch: object[] = [];
  for (let i = first; i < Math.min(first + 150, settings.profiles); i++) {
    const timestamp = new Date(Date.now() - r.int(30 * 86_400_000)).toISOString();
    batch.push({
      type: 'identify',
      userId: userId(i),
      traits: {
        name: `Person ${i}`,
        plan: r.pick(plans),
        country: r.pick(countries),
        ltv: r.int(600),
      },
      timestamp,
    });
    batch.push({
      type: 'track',
      userId: userId(i),
      event: 'Product Viewed',
      properties: { category: r.pick(categories), price: 10 + r.int(200) },
      timestamp,
    });
    if (r.next() < 0.4)
      batch.push({
        type: 'track',
        userId: userId(i),
        event: 'Order Completed',
        properties: { revenue: 20 + r.int(300) },
        timestamp,
      });
  }
  batches.push(JSON.stringify({ batch }));
}
const headers = { 'content-type': 'application/json', authorization };
for (let i = 0; i < batches.length; i += 4) {
  await Promise.all(
    batches.slice(i, i + 4).map(async (body) => {
      const res = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers, body });
      if (!res.ok) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
    }),
  );
}
// The history's text (about 30 MB) would otherwise stay on this process's heap, and its
// major GCs pause the load generator during the latency runs, the floor's included.
batches.length = 0;
await server.waitCaughtUp(600_000);
const segments = segmentMix(20);
await server.createSegments([...segments, probeSegment]);
await server.waitAllReady(600_000);
for (const placement of placementMix(
  20,
  10,
  segments.map((s) => s.id),
  settings.seed,
))
  await server.admin('POST', '/v1/placements', placement);
await server.admin('POST', '/v1/placements', probePlacement);
// The backfills' Segment Entered events reach the log after the segments are ready, and
// the processor works through them for a while: let it finish before anything is timed
// (it shares the two cores with the floor, the load and Attune's request thread).
const settleStarted = performance.now();
await server.waitQuiet(600_000);
const settleSeconds = (performance.now() - settleStarted) / 1000;
console.log(
  `setup: ${fmt(settings.profiles)} profiles loaded and processed, 20 segments (and the live probe's) ready, 20 placements defined in ${fmt((performance.now() - loadStarted) / 1000, 1)} s (the processor then settled in ${fmt(settleSeconds, 1)} s)`,
);

const decideBodies = Array.from({ length: 2000 }, () => {
  const known = r.next() < 0.9;
  const picked = new Set<number>();
  while (picked.size < 3) picked.add(r.int(20));
  return JSON.stringify({
    ...(known
      ? { userId: userId(r.int(settings.profiles)) }
      : { anonymousId: `visitor-${r.hex(12)}` }),
    placements: [...picked].map((p) => `placement-${String(p).padStart(2, '0')}`),
    context: {
      page: { path: r.pick(paths) },
      device: { type: r.pick(devices) },
      campaign: { name: r.pick(campaigns) },
      locale: r.pick(['en-US', 'de-DE', 'fr-FR']),
    },
  });
});
const sample = await fetch(`${server.url}/v1/decide`, {
  method: 'POST',
  headers,
  body: decideBodies[0],
});
const sampleText = await sample.text();
if (!sample.ok) throw new Error(`decide answered ${sample.status}: ${sampleText}`);

const floor = startNode('floor server', ['--import', 'tsx', here('./floor-server.ts')], {
  env: { FLOOR_BODY: sampleText },
});
const [, floorUrl = ''] = await floor.waitForOutput(/floor listening on (http:\S+)/, 60_000);
const decideUrl = `${server.url}/v1/decide`;
const floorDecideUrl = `${floorUrl}/v1/decide`;

/** p50, p99 and max of sorted latencies in ms. */
const latencyText = (latencies: number[], digits: number) =>
  `p50 ${fmt(percentile(latencies, 0.5), digits)} ms  p99 ${fmt(percentile(latencies, 0.99), digits)} ms  max ${fmt(latencies[latencies.length - 1] ?? NaN, 1)} ms`;
const latencyLine = (name: string, res: FixedRateResult) =>
  `${name}: ${latencyText(res.latencies, 2)}  (${fmt(res.ok)} answered, ${res.failed} failed)`;
/** 2 s of warm-up, then the measured run, at the fixed rate. */
const latencyRun = async (url: string, bodies: readonly string[] = decideBodies) => {
  await fixedRate(url, headers, bodies, settings.rate, 2);
  return fixedRate(url, headers, bodies, settings.rate, settings.latencySeconds);
};
// The same requests with "log": false: deciding alone, without the Decision Served events
// that the log writer and the processor then work through on the same two cores.
const quietBodies = decideBodies.map((body) => `${body.slice(0, -1)},"log":false}`);
// Rounds of the floor, then Attune, then Attune without logging (once the processor is
// done with the logged run's decisions); each p99 below is the median of the rounds'.
const floorLatency: FixedRateResult[] = [];
const attuneLatency: FixedRateResult[] = [];
const quietLatency: FixedRateResult[] = [];
for (let round = 0; round < settings.latencyRounds; round++) {
  floorLatency.push(await latencyRun(floorDecideUrl));
  attuneLatency.push(await latencyRun(decideUrl));
  await server.waitQuiet(600_000);
  quietLatency.push(await latencyRun(decideUrl, quietBodies));
  await server.waitQuiet(600_000);
}
console.log(
  `latency at ${settings.rate} req/s, ${settings.latencyRounds} rounds of ${settings.latencySeconds} s (answer ${fmt(sampleText.length)} bytes; this process's heap ${fmt(process.memoryUsage().heapUsed / 2 ** 20)} MB):`,
);
for (const [name, runs] of [
  ['floor ', floorLatency],
  ['Attune', attuneLatency],
  ['Attune without logging', quietLatency],
] as const) {
  for (const run of runs) console.log(`  ${latencyLine(name, run)}`);
}
/** The median over rounds of a percentile. */
const medianOf = (runs: FixedRateResult[], q: number) =>
  median(runs.map((run) => percentile(run.latencies, q)));
console.log(
  `medians of the rounds: floor p50 ${fmt(medianOf(floorLatency, 0.5), 2)} ms  p99 ${fmt(medianOf(floorLatency, 0.99), 2)} ms; Attune p50 ${fmt(medianOf(attuneLatency, 0.5), 2)} ms  p99 ${fmt(medianOf(attuneLatency, 0.99), 2)} ms; without logging p50 ${fmt(medianOf(quietLatency, 0.5), 2)} ms  p99 ${fmt(medianOf(quietLatency, 0.99), 2)} ms`,
);
const p99 = medianOf(attuneLatency, 0.99);
console.log(
  `decide p99 ${fmt(p99, 2)} ms, median of ${settings.latencyRounds} rounds  (target <= 5 ms: ${met(p99 <= 5)})`,
);
// Live pushes under moderate load: new visitors' pages subscribe over /v1/live, then send
// the event that changes their decision; measured from the event's 200 to the push.
const liveLoad = fixedRate(decideUrl, headers, decideBodies, 300, settings.liveSeconds);
const live = await liveProbes({
  url: server.url,
  writeKey,
  authorization,
  probes: settings.liveProbes,
  gapMs: 100,
  seed: settings.seed,
});
await liveLoad;
const liveP99 = percentile(live.latencies, 0.99);
console.log(
  `live push, event ack → push (${settings.liveProbes} new visitors, during 300 decides/s): ${latencyText(live.latencies, 1)}  (${live.missed} missed)`,
);
console.log(
  `live p99 ${fmt(liveP99, 1)} ms  (target <= 100 ms: ${met(liveP99 <= 100 && live.missed === 0)})`,
);
await server.waitCaughtUp(600_000);

const floorRounds: number[] = [];
const attuneRounds: number[] = [];
const quietRounds: number[] = [];
/** The most requests/s `bodies` get answered, after `warmupSeconds` of the same. */
const maxRun = async (url: string, bodies: readonly string[], warmupSeconds: number) => {
  if (warmupSeconds > 0)
    await maxThroughput(url, headers, bodies, settings.connections, warmupSeconds);
  return maxThroughput(url, headers, bodies, settings.connections, settings.maxSeconds);
};
for (let round = 1; round <= settings.rounds; round++) {
  const f = await maxRun(floorDecideUrl, decideBodies, 1);
  const a = await maxRun(decideUrl, decideBodies, 1);
  await server.waitCaughtUp(600_000);
  const q = await maxRun(decideUrl, quietBodies, 0);
  floorRounds.push(f.requestsPerSecond);
  attuneRounds.push(a.requestsPerSecond);
  quietRounds.push(q.requestsPerSecond);
  console.log(
    `  round ${round}/${settings.rounds}: floor ${fmt(f.requestsPerSecond)} req/s (non-2xx ${f.non2xx}, errors ${f.errors}); Attune ${fmt(a.requestsPerSecond)} req/s (non-2xx ${a.non2xx}, errors ${a.errors}); Attune without logging ${fmt(q.requestsPerSecond)} req/s (non-2xx ${q.non2xx})`,
  );
  await server.waitCaughtUp(600_000);
}
const ratio = median(attuneRounds) / median(floorRounds);
console.log(
  `max throughput: floor ${fmt(median(floorRounds))} req/s, Attune ${fmt(median(attuneRounds))} req/s (medians)`,
);
console.log(`ratio Attune / floor: ${fmt(ratio, 2)}  (target >= 0.5: ${met(ratio >= 0.5)})`);
console.log(
  `without logging ("log": false): ${fmt(median(quietRounds))} req/s, ratio ${fmt(median(quietRounds) / median(floorRounds), 2)} of the floor`,
);

await floor.stop(5000);
await server.stop();
