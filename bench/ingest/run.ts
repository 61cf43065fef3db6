/**
 * npm run bench:ingest — Attune's durable ingest against a floor server that only parses
 * the same bodies. Each server runs as its own child process, the load generator
 * (autocannon) as a third; rounds alternate floor, Attune, floor, Attune… so machine noise
 * hits both, and the medians are compared.
 *
 * Env: BENCH_DURATION (measured seconds, 15), BENCH_WARMUP (3), BENCH_CONNECTIONS (16),
 * BENCH_ROUNDS (2), BENCH_POOL (distinct bodies, 2000), BENCH_SEED (1).
 * Exits non-zero only when the run itself failed: a server did not start, Attune answered
 * anything but 2xx, or its log does not hold exactly the acknowledged events.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePool } from './body-pool.js';
import { messagesPerBatch } from './payloads.js';
import { killChildrenOnExit, onExit } from './processes.js';
import {
  catchUpText,
  count,
  cpuLine,
  logCheckText,
  loud,
  median,
  roundLine,
  runBenchmark,
  summarize,
  summaryLine,
  targets,
  writeResults,
} from './report.js';
import {
  attuneCli,
  attuneRound,
  floorRound,
  type AttuneRoundResult,
  type BenchContext,
  type RoundResult,
} from './rounds.js';
import { readSettings } from './settings.js';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

function gitState(): { commit: string; dirty: boolean } | null {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain') !== '' };
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  killChildrenOnExit();
  const settings = readSettings();
  if (!existsSync(attuneCli)) {
    throw new Error(`${attuneCli} is missing: build the server first (npm run build)`);
  }
  const workDir = mkdtempSync(join(tmpdir(), 'attune-bench-'));
  onExit(() => rmSync(workDir, { recursive: true, force: true }));

  const { durationSeconds, warmupSeconds, connections, rounds } = settings;
  console.log(
    `bench:ingest — ${rounds} × (floor, then Attune); each run: ${warmupSeconds} s warm-up + ${durationSeconds} s measured, ${connections} connections, ${messagesPerBatch} messages per request`,
  );
  const generating = performance.now();
  const poolFile = join(workDir, 'bodies.jsonl');
  const pool = writePool(poolFile, settings.poolSize, settings.seed);
  console.log(
    `payloads: ${count(pool.bodies)} distinct bodies, mean ${(pool.meanBodyBytes / 1024).toFixed(1)} KiB (${Math.round(pool.meanMessageBytes)} B per message), seed ${pool.seed}; generated in ${((performance.now() - generating) / 1000).toFixed(1)} s`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
  );

  const ctx: BenchContext = { settings, poolFile, workDir, nextRequest: 1 };
  const floors: RoundResult[] = [];
  const attunes: AttuneRoundResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const floor = await floorRound(ctx, round);
    floors.push(floor);
    console.log(roundLine(floor, rounds));
    console.log(`      ${cpuLine(floor.cpu)}`);
    for (const failure of floor.failures) console.log(`      WARNING: ${failure}`);

    const attune = await attuneRound(ctx, round);
    attunes.push(attune);
    console.log(roundLine(attune, rounds));
    console.log(`      ${cpuLine(attune.cpu)}`);
    const perCommit =
      attune.commits === undefined || attune.commits === 0
        ? ''
        : `; ${(attune.acknowledgedRequests / attune.commits).toFixed(1)} requests per log commit`;
    const bytes =
      attune.logBytes === undefined || attune.logEvents === 0
        ? ''
        : `; ${(attune.logBytes / 2 ** 20).toFixed(0)} MiB on disk (${Math.round(attune.logBytes / attune.logEvents)} B/event)`;
    console.log(`      processor: ${catchUpText(attune)}${perCommit}${bytes}`);
    console.log(`      log check: ${logCheckText([attune])}`);
    for (const failure of attune.failures) console.log(`      FAILURE: ${failure}`);
  }

  const floor = summarize(floors);
  const attune = summarize(attunes);
  const ratio = attune.eventsPerSecond / floor.eventsPerSecond;
  const lagAtEnd = median(attunes.map((a) => a.lagAtEnd ?? NaN));
  const catchUp = median(attunes.map((a) => a.catchUpSeconds ?? Infinity));
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

  console.log('');
  console.log(summaryLine('floor', floor));
  console.log(summaryLine('attune', attune));
  console.log(
    `ratio attune/floor: ${ratio.toFixed(2)}  (target >= ${targets.ratio}: ${met(ratio >= targets.ratio)})`,
  );
  console.log(
    `absolute: ${count(attune.eventsPerSecond)} events/s (target >= ${count(targets.eventsPerSecond)}: ${met(attune.eventsPerSecond >= targets.eventsPerSecond)})`,
  );
  const perRound = attunes
    .map((a) => `${count(a.lagAtEnd ?? NaN)} → ${a.catchUpSeconds?.toFixed(1) ?? '>60'} s`)
    .join(', ');
  console.log(
    `processor: lag at end of load ${Number.isNaN(lagAtEnd) ? 'n/a' : `${count(lagAtEnd)} events`}; caught up in ${Number.isFinite(catchUp) ? `${catchUp.toFixed(1)} s` : 'more than 60 s'}  (medians; rounds: ${perRound})`,
  );
  console.log(`log check: ${logCheckText(attunes)}`);

  const failures = attunes.flatMap((a) => a.failures.map((f) => `round ${a.round}: ${f}`));
  const floorProblems = floors.flatMap((f) => f.failures.map((p) => `round ${f.round}: ${p}`));
  if (floorProblems.length > 0)
    loud('the floor server had errors (ratio unreliable)', floorProblems);
  if (failures.length > 0) loud('ATTUNE RUN FAILED', failures);

  const file = writeResults(resultsDir, {
    at: new Date().toISOString(),
    git: gitState(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memory: totalmem(),
      node: process.version,
    },
    settings,
    payloads: pool,
    floor,
    attune,
    ratio,
    targets,
    processor: { lagAtEnd, catchUpSeconds: Number.isFinite(catchUp) ? catchUp : null },
    ok: failures.length === 0,
    failures,
    rounds: { floor: floors, attune: attunes },
  });
  console.log(`results: ${file}`);
  return failures.length === 0 ? 0 : 1;
}

await runBenchmark(main);
