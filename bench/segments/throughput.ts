/**
 * Ingest throughput with 100 segments against none: the ingest benchmark's load generator
 * (autocannon in its own process, the same bodies) against a fresh Attune per run, once
 * without segments and once with the 100 segments defined before the load. The processor
 * runs in both; its lag when the load stops shows what the segments cost it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { scrapeMetrics } from '../ingest/attune-probe.js';
import type { LoadResult } from '../ingest/load-protocol.js';
import { messagesPerBatch } from '../ingest/payloads.js';
import { runLoad, type CpuReport } from '../ingest/rounds.js';
import type { SegmentDefinition } from './segment-mix.js';
import { AttuneServer, authorization } from './server.js';

export interface ThroughputPlan {
  cli: string;
  workDir: string;
  poolFile: string;
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
  /** How long to follow the processor after the load (its rate, its catch-up). */
  catchUpCapSeconds: number;
}

export interface ThroughputRun {
  variant: 'none' | 'segments';
  round: number;
  segments: number;
  eventsPerSecond: number;
  latencyMs: LoadResult['measured']['latencyMs'];
  load: LoadResult;
  cpu: CpuReport;
  acknowledgedEvents: number;
  /** Processor lag when the load stopped. */
  lagAtEnd: number | undefined;
  /** Events/s the processor applied after the load stopped (until caught up, or the cap). */
  processedPerSecond: number | undefined;
  /** From the load stopping to lag 0; null if not within the cap. */
  catchUpSeconds: number | null;
  failures: string[];
}

/** One run: a fresh Attune (with `segments` defined first), the load, the lag at its end. */
export async function throughputRun(
  plan: ThroughputPlan,
  round: number,
  segments: readonly SegmentDefinition[],
  firstRequest: number,
): Promise<ThroughputRun> {
  const dataDir = mkdtempSync(join(plan.workDir, `throughput-${round}-`));
  const server = await AttuneServer.start(plan.cli, dataDir, { processor: true });
  try {
    if (segments.length > 0) {
      await server.createSegments(segments);
      await server.waitAllReady(30_000);
    }
    let atStop: Promise<Reading | undefined> = Promise.resolve(undefined);
    const { load, cpu } = await driveLoad(plan, server, firstRequest, () => {
      atStop = read(server.url);
    });
    const first = await atStop;
    const after =
      first === undefined
        ? undefined
        : await followProcessor(server.url, first, plan.catchUpCapSeconds);
    const phases = load.warmup === null ? [load.measured] : [load.warmup, load.measured];
    const acknowledgedEvents = phases.reduce((s, p) => s + p.ok + p.resentOk, 0) * messagesPerBatch;
    const failures: string[] = [];
    for (const p of phases) {
      if (p.non2xx > 0)
        failures.push(`${p.non2xx} non-2xx answers (${JSON.stringify(p.statusCodes)})`);
      if (p.errors > 0) failures.push(`${p.errors} connection errors (${p.timeouts} timeouts)`);
      for (const sample of p.failureSamples) failures.push(`  e.g. ${sample}`);
    }
    const { measured } = load;
    return {
      variant: segments.length > 0 ? 'segments' : 'none',
      round,
      segments: segments.length,
      eventsPerSecond: (measured.ok * messagesPerBatch) / measured.seconds,
      latencyMs: measured.latencyMs,
      load,
      cpu,
      acknowledgedEvents,
      lagAtEnd: first?.lag,
      processedPerSecond: after?.perSecond,
      catchUpSeconds: after?.caughtUpIn ?? null,
      failures,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The ingest load generator against `server`; `onStopped` runs when the measured load stops. */
function driveLoad(
  plan: ThroughputPlan,
  server: AttuneServer,
  firstRequest: number,
  onStopped: () => void,
): Promise<{ load: LoadResult; cpu: CpuReport }> {
  return runLoad(
    {
      url: `${server.url}/v1/batch`,
      authorization,
      poolFile: plan.poolFile,
      firstRequest,
      warmupSeconds: plan.warmupSeconds,
      durationSeconds: plan.durationSeconds,
      connections: plan.connections,
    },
    server.child.pid,
    onStopped,
  );
}

interface Reading {
  at: number;
  lag: number;
  /** The processor's committed offset: last offset − lag. */
  committed: number;
}

async function read(url: string): Promise<Reading | undefined> {
  try {
    const metrics = await scrapeMetrics(url);
    if (metrics.lag === undefined) return undefined;
    const at = performance.now();
    return { at, lag: metrics.lag, committed: metrics.lastOffset - metrics.lag };
  } catch {
    return undefined;
  }
}

/** Follows the processor from `first` until lag 0 or `capSeconds`: its rate, its catch-up. */
async function followProcessor(
  url: string,
  first: Reading,
  capSeconds: number,
): Promise<{ perSecond: number; caughtUpIn: number | null }> {
  let last = first;
  while (last.lag > 0 && last.at - first.at < capSeconds * 1000) {
    await sleep(200);
    last = (await read(url)) ?? last;
  }
  const seconds = (last.at - first.at) / 1000;
  return {
    perSecond: seconds > 0 ? (last.committed - first.committed) / seconds : NaN,
    caughtUpIn: last.lag === 0 ? seconds : null,
  };
}
