/**
 * npm run bench:segments — segments under load, in three measurements:
 *
 * 1. backfill: history is loaded into an Attune started without its processor, Attune is
 *    restarted with it and catches up, then the 100 segments are defined and timed until
 *    every one reports `ready`;
 * 2. latency: on that server (the history's ~100k profiles, the 100 segments), a steady
 *    background load runs while probes time event → membership visible via the API;
 * 3. throughput: the ingest benchmark's load against a fresh Attune without segments and
 *    one with the 100 segments, alternating, medians over the rounds.
 *
 * Flags: see settings.ts (`--quick` for a short run). Exits non-zero only when the run
 * itself failed (a server did not start, an answer was not 2xx, a probe was never visible).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SegmentView } from '@attune/contracts';
import { writePool } from '../ingest/body-pool.js';
import { killChildrenOnExit, onExit } from '../ingest/processes.js';
import { count, loud, median, progress, runBenchmark } from '../ingest/report.js';
import { attuneCli } from '../ingest/rounds.js';
import { History, loadHistory, type LoadedHistory } from './history.js';
import { healthzTimes, measureLatency } from './latency.js';
import {
  gitState,
  healthzLine,
  latencyLines,
  met,
  peekLine,
  seconds,
  summarizeLatency,
  summarizeThroughput,
  targets,
  throughputRunLines,
  writeResults,
} from './report.js';
import { probeSegmentId, segmentMix } from './segment-mix.js';
import { AttuneServer } from './server.js';
import { readSettings } from './settings.js';
import { enteredAt, peekState } from './state-peek.js';
import { throughputRun, type ThroughputRun } from './throughput.js';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const backfillLimitMs = 20 * 60_000;

/** Seconds until the outbox has announced every membership change (null: not by `limitMs`). */
async function announcementsCaughtUp(dataDir: string, limitMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const peek = peekState(dataDir);
    if (peek === undefined || peek.announced >= peek.changes)
      return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

function sizesLine(segments: SegmentView[]): string {
  const sizes = segments.map((s) => s.status?.size ?? 0);
  const empty = sizes.filter((s) => s === 0).length;
  return `segment sizes: median ${count(median(sizes))}, max ${count(Math.max(...sizes))}, ${empty} of ${sizes.length} empty`;
}

async function main(): Promise<number> {
  killChildrenOnExit();
  const started = performance.now();
  const settings = readSettings();
  const cli = resolve(settings.cli ?? attuneCli);
  if (!existsSync(cli))
    throw new Error(`${cli} is missing: build the server first (npm run build)`);
  const workDir = mkdtempSync(join(tmpdir(), 'attune-bench-segments-'));
  onExit(() => rmSync(workDir, { recursive: true, force: true }));
  const failures: string[] = [];
  const segments = segmentMix(settings.seed);

  console.log(
    `bench:segments — ${segments.length} segments; ${count(settings.events)} events of history over ${settings.spanDays} days; latency: ${settings.probes} probes over ${settings.latencySeconds} s at ${count(settings.rate)} events/s background; throughput: ${settings.rounds} × (no segments, then ${segments.length}), ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s, ${settings.connections} connections${settings.quick ? ' (--quick)' : ''}`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
  );

  // 1. History with the processor off, catch-up, then the backfill of the 100 segments.
  const dataDir = join(workDir, 'history');
  mkdirSync(dataDir);
  let server = await AttuneServer.start(cli, dataDir, { processor: false });
  const { loaded, nextRequest } = await loadHistoryOnce(server.url, settings);
  progress('');
  await server.stop();
  server = await AttuneServer.start(cli, dataDir, { processor: true });
  const catchUpSeconds = await server.waitCaughtUp(backfillLimitMs, (lag) =>
    progress(`processor catching up: lag ${count(lag)} events`),
  );
  progress('');
  console.log(
    `history: ${count(loaded.events)} events (${count(loaded.requests)} requests, timestamps over the last ${loaded.spanDays} days) loaded in ${seconds(loaded.seconds)} with the processor off (${count(loaded.events / loaded.seconds)} events/s); restarted with the processor: caught up in ${seconds(catchUpSeconds)} (${count(loaded.events / catchUpSeconds)} events/s)`,
  );

  const backfillStarted = performance.now();
  await server.createSegments(segments);
  const createdSeconds = (performance.now() - backfillStarted) / 1000;
  const ready = await server.waitAllReady(backfillLimitMs, (listing) => {
    const done = listing.filter((s) => s.status?.state === 'ready').length;
    const first = listing.find((s) => s.status?.state === 'backfilling')?.status;
    progress(
      `backfill: ${done}/${listing.length} ready${first === undefined ? '' : `, ${count(first?.profilesDone ?? 0)}/${count(first?.profilesTotal ?? 0)} profiles`}`,
    );
  });
  const backfillSeconds = (performance.now() - backfillStarted) / 1000;
  progress('');
  const profiles = Math.max(...ready.map((s) => s.status?.profilesTotal ?? 0));
  console.log(
    `backfill: ${segments.length} segments over ${count(loaded.events)} events / ${count(profiles)} profiles ready in ${seconds(backfillSeconds)} from the first POST (the POSTs took ${seconds(createdSeconds)})  (target <= ${targets.backfillSeconds} s: ${met(backfillSeconds <= targets.backfillSeconds)})`,
  );
  console.log(`      ${sizesLine(ready)}`);
  const afterBackfill = peekState(dataDir);
  console.log(`      ${peekLine(afterBackfill)}`);
  // The outbox paces itself while a backfill runs, so the Segment Entered events of the
  // backfill trail behind it: report when the last of them is in the log.
  const announcedSeconds = await announcementsCaughtUp(dataDir, backfillLimitMs);
  console.log(
    `      Segment Entered/Exited of the backfill all in the log ${announcedSeconds === null ? 'not within the limit' : `${seconds(announcedSeconds + backfillSeconds)} from the first POST`}`,
  );
  const healthz = await healthzTimes(server.url);
  console.log(`      ${healthzLine(healthz)}`);

  // 2. Latency, on the same server. A generator of its own: the history's holds a million
  // messageId prefixes, and that heap's major GCs paused this process's probes and load.
  const live = new History(settings.seed, nextRequest);
  const heapMb = process.memoryUsage().heapUsed / 1_048_576;
  console.log(`      this process's heap before the latency phase: ${heapMb.toFixed(0)} MB`);
  const latency = await measureLatency(
    {
      url: server.url,
      probes: settings.probes,
      seconds: settings.latencySeconds,
      rate: settings.rate,
      seed: settings.seed,
      enteredAt: (userId) => enteredAt(dataDir, userId, probeSegmentId),
    },
    live,
  );
  for (const line of latencyLines(latency.probes, latency.background, settings.probes))
    console.log(line);
  const afterLatency = peekState(dataDir);
  console.log(`      ${peekLine(afterLatency)}`);
  const latencySummary = summarizeLatency(latency.probes);
  if (latencySummary.notVisible > 0)
    failures.push(`${latencySummary.notVisible} probes never became visible`);
  if (latency.background.failures.length > 0)
    failures.push(`background load: ${latency.background.failures.join(' | ')}`);
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });

  // 3. Throughput without and with the segments.
  const poolFile = join(workDir, 'bodies.jsonl');
  writePool(poolFile, settings.poolSize, settings.seed);
  const plan = { ...settings, cli, workDir, poolFile, catchUpCapSeconds: settings.quick ? 5 : 15 };
  const runs: ThroughputRun[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const defined of [[], segments]) {
      const run = await throughputRun(plan, round, defined, live.nextRequest);
      live.nextRequest += 1_000_000;
      runs.push(run);
      for (const line of throughputRunLines(run, settings.rounds)) console.log(line);
      failures.push(...run.failures.map((f) => `throughput round ${round} (${run.variant}): ${f}`));
    }
  }
  const none = summarizeThroughput(runs.filter((r) => r.variant === 'none'));
  const withSegments = summarizeThroughput(runs.filter((r) => r.variant === 'segments'));
  const ratio = withSegments.eventsPerSecond / none.eventsPerSecond;
  const processedRatio = withSegments.processedPerSecond / none.processedPerSecond;
  console.log(
    `throughput without segments: ${count(none.eventsPerSecond)} events/s, with ${segments.length}: ${count(withSegments.eventsPerSecond)} events/s (medians; rounds: ${none.rounds.map(count).join(', ')} / ${withSegments.rounds.map(count).join(', ')})`,
  );
  console.log(
    `ratio with/without segments: ${ratio.toFixed(2)}  (target >= ${targets.throughputRatio}: ${met(ratio >= targets.throughputRatio)});  processor after the load: ${count(withSegments.processedPerSecond)} vs ${count(none.processedPerSecond)} events/s (${processedRatio.toFixed(2)})`,
  );
  const totalSeconds = (performance.now() - started) / 1000;
  console.log(`total run time: ${seconds(totalSeconds)}`);

  if (failures.length > 0) loud('RUN FAILED', failures);
  const file = writeResults(resultsDir, {
    at: new Date().toISOString(),
    git: gitState(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memory: totalmem(),
      node: process.version,
    },
    settings: { ...settings, cli },
    targets,
    history: { ...loaded, catchUpSeconds, profiles },
    backfill: {
      seconds: backfillSeconds,
      server: afterBackfill,
      healthzMs: healthz,
      createSeconds: createdSeconds,
      met: backfillSeconds <= targets.backfillSeconds,
      segments: ready.map((s) => ({ id: s.id, name: s.name, status: s.status })),
    },
    latency: {
      ...latencySummary,
      met: latencySummary.notVisible === 0 && latencySummary.p99Ms <= targets.latencyP99Ms,
      byKind: {
        new: summarizeLatency(latency.probes.filter((p) => p.kind === 'new')),
        existing: summarizeLatency(latency.probes.filter((p) => p.kind === 'existing')),
      },
      background: { ...latency.background, ackMs: undefined },
      probes: latency.probes,
      server: afterLatency,
    },
    throughput: {
      none,
      segments: withSegments,
      ratio,
      processedRatio,
      met: ratio >= targets.throughputRatio,
      runs,
    },
    definitions: segments,
    totalSeconds,
    ok: failures.length === 0,
    failures,
  });
  console.log(`results: ${file}`);
  return failures.length === 0 ? 0 : 1;
}

await runBenchmark(main);

/** Loads the history; its generator (a million messageId prefixes) is dropped after. */
async function loadHistoryOnce(
  url: string,
  settings: { seed: number; events: number; spanDays: number },
): Promise<{ loaded: LoadedHistory; nextRequest: number }> {
  const history = new History(settings.seed);
  const loaded = await loadHistory(history, url, settings.events, settings.spanDays, (n) =>
    progress(`loading history: ${count(n)} events`),
  );
  return { loaded, nextRequest: history.nextRequest };
}
