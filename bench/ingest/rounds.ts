/**
 * One round against one server: start it as a child process, drive it with the load
 * generator (a second child process), and for Attune verify the log and the processor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { checkTail, logLastOffset, scrapeMetrics, type TailCheck } from './attune-probe.js';
import {
  machineCpu,
  processCpu,
  sampleMachine,
  sampleProcess,
  type MachineCpu,
  type ProcessCpu,
} from './cpu.js';
import {
  loadPlanVariable,
  type LatencyMs,
  type LoadMessage,
  type LoadPlan,
  type LoadResult,
  type PhaseResult,
} from './load-protocol.js';
import { messagesPerBatch } from './payloads.js';
import { startNode, type NodeChild } from './processes.js';
import type { Settings } from './settings.js';

const writeKey = 'wk_bench_ingest_write_key';
const adminKey = 'sk_bench_ingest_admin_key_0000';
const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const tsx = ['--import', 'tsx'];
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
export const attuneCli = here('../../packages/server/dist/cli/main.js');
const startTimeoutMs = 60_000;
const catchUpLimitMs = 60_000;
const lagPollMs = 100;

export interface BenchContext {
  settings: Settings;
  poolFile: string;
  /** Parent directory for the rounds' Attune data directories. */
  workDir: string;
  /** The next unused request number (so no messageId is ever sent twice). */
  nextRequest: number;
}

export interface CpuReport {
  server?: ProcessCpu;
  load?: ProcessCpu;
  machine?: MachineCpu;
}

export interface RoundResult {
  target: 'floor' | 'attune';
  round: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  latencyMs: LatencyMs;
  load: LoadResult;
  /** During the measured phase. */
  cpu: CpuReport;
  /** Problems that invalidate the round. */
  failures: string[];
}

export interface AttuneRoundResult extends RoundResult {
  target: 'attune';
  /** Processor lag read from /metrics the moment the load stopped. */
  lagAtEnd: number | undefined;
  /** From the load stopping to lag 0 (with every event in); null if not within 60 s. */
  catchUpSeconds: number | null;
  acknowledgedRequests: number;
  acknowledgedEvents: number;
  /** lastOffset from GET /v1/events. */
  logEvents: number;
  metricsLastOffset: number;
  duplicates: number;
  commits: number | undefined;
  logBytes: number | undefined;
  tail: TailCheck;
}

/** The floor server under the same load. */
export async function floorRound(ctx: BenchContext, round: number): Promise<RoundResult> {
  const floor = startNode('floor server', [...tsx, here('./floor-server.ts')]);
  try {
    const [, url = ''] = await floor.waitForOutput(/floor listening on (http:\S+)/, startTimeoutMs);
    const { load, cpu } = await driveLoad(ctx, floor, url, () => {});
    return { ...summarize('floor', round, load, cpu), failures: loadFailures('floor', load) };
  } finally {
    await floor.stop();
  }
}

/** Attune with a fresh data directory, under the same load; then the log and lag checks. */
export async function attuneRound(ctx: BenchContext, round: number): Promise<AttuneRoundResult> {
  const dataDir = mkdtempSync(join(ctx.workDir, `attune-round-${round}-`));
  const attune = startNode('attune', [attuneCli, 'serve'], {
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_WRITE_KEY: writeKey,
      ATTUNE_ADMIN_KEY: adminKey,
      ATTUNE_LOG_LEVEL: 'warn',
    },
  });
  try {
    const [, url = ''] = await attune.waitForOutput(
      /Attune is listening on (http:\S+)/,
      startTimeoutMs,
    );

    let watch: Promise<LagWatch> | undefined;
    let loadDone = false;
    const { load, cpu } = await driveLoad(ctx, attune, url, () => {
      watch = watchLag(url, () => loadDone);
    });
    loadDone = true;
    const lag = await (watch ?? watchLag(url, () => true));

    const failures = loadFailures('attune', load);
    const acknowledgedRequests = phases(load).reduce((s, p) => s + p.ok + p.resentOk, 0);
    const acknowledgedEvents = acknowledgedRequests * messagesPerBatch;
    const logEvents = await logLastOffset(url, adminKey);
    const metrics = await scrapeMetrics(url);
    const tail = await checkTail(url, adminKey, logEvents);
    if (logEvents !== acknowledgedEvents) {
      failures.push(
        `log holds ${logEvents} events but ${acknowledgedEvents} were acknowledged (${acknowledgedRequests} requests × ${messagesPerBatch})`,
      );
    }
    if (metrics.lastOffset !== logEvents) {
      failures.push(
        `/metrics says last offset ${metrics.lastOffset}, /v1/events says ${logEvents}`,
      );
    }
    const expectedTail = Math.min(1000, logEvents);
    if (tail.events !== expectedTail || tail.distinctMessageIds !== tail.events) {
      failures.push(
        `reading back the newest events: expected ${expectedTail} with distinct messageIds, got ${tail.events} events with ${tail.distinctMessageIds} distinct messageIds`,
      );
    }
    return {
      ...summarize('attune', round, load, cpu),
      failures,
      lagAtEnd: lag.atEnd,
      catchUpSeconds: lag.catchUpSeconds,
      acknowledgedRequests,
      acknowledgedEvents,
      logEvents,
      metricsLastOffset: metrics.lastOffset,
      duplicates: metrics.duplicates,
      commits: metrics.commits,
      logBytes: metrics.logBytes,
      tail,
    };
  } finally {
    const exit = await attune.stop();
    if (exit.code !== 0) {
      process.stderr.write(
        `warning: attune exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM\n${attune.output()}\n`,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs the load generator against `url`; `onStopped` runs the moment the measured load stops. */
async function driveLoad(
  ctx: BenchContext,
  server: NodeChild,
  url: string,
  onStopped: () => void,
): Promise<{ load: LoadResult; cpu: CpuReport }> {
  const { settings } = ctx;
  const result = await runLoad(
    {
      url: `${url}/v1/batch`,
      authorization,
      poolFile: ctx.poolFile,
      firstRequest: ctx.nextRequest,
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.durationSeconds,
      connections: settings.connections,
    },
    server.pid,
    onStopped,
  );
  ctx.nextRequest = result.load.nextRequest;
  return result;
}

/**
 * Runs the load generator (load.ts) with `plan`, sampling the CPU of the server process and
 * the machine over the measured phase; `onStopped` runs the moment the measured load stops.
 */
export async function runLoad(
  plan: LoadPlan,
  serverPid: number,
  onStopped: () => void,
): Promise<{ load: LoadResult; cpu: CpuReport }> {
  const generator = startNode('load generator', [...tsx, here('./load.ts')], {
    ipc: true,
    env: { [loadPlanVariable]: JSON.stringify(plan) },
  });
  const samples = () => ({
    server: sampleProcess(serverPid),
    load: sampleProcess(generator.pid),
    machine: sampleMachine(),
  });
  let from: ReturnType<typeof samples> | undefined;
  let cpu: CpuReport = {};
  let load: LoadResult | undefined;
  let failed: string | undefined;
  generator.process.on('message', (raw) => {
    const message = raw as LoadMessage;
    switch (message.kind) {
      case 'measuring':
        from = samples();
        break;
      case 'stopped': {
        const to = samples();
        onStopped();
        cpu = {
          server: processCpu(serverPid, from?.server, to.server),
          load: processCpu(generator.pid, from?.load, to.load),
          machine: machineCpu(from?.machine, to.machine),
        };
        break;
      }
      case 'result':
        load = message.result;
        break;
      case 'failed':
        failed = message.error;
        break;
    }
  });
  const exit = await generator.exited;
  if (load === undefined) {
    throw generator.failure(
      failed === undefined
        ? `exited (code ${exit.code}, signal ${exit.signal}) without a result`
        : `failed: ${failed}`,
    );
  }
  return { load, cpu };
}

interface LagWatch {
  atEnd: number | undefined;
  catchUpSeconds: number | null;
}

/**
 * Polls /metrics from the moment the load stops: the first reading is the lag at the end of
 * the load; caught up is the first reading with lag 0 and the log at its final size (the
 * load generator may still be re-sending cut-off requests when the first readings are taken).
 */
async function watchLag(url: string, loadDone: () => boolean): Promise<LagWatch> {
  const stoppedAt = performance.now();
  const readings: { at: number; lag: number | undefined; lastOffset: number }[] = [];
  for (;;) {
    const done = loadDone();
    const metrics = await scrapeMetrics(url).catch(() => undefined);
    if (metrics !== undefined) {
      readings.push({ at: performance.now(), lag: metrics.lag, lastOffset: metrics.lastOffset });
      if (done && (metrics.lag === 0 || metrics.lag === undefined)) break;
    }
    if (performance.now() - stoppedAt > catchUpLimitMs) break;
    await sleep(lagPollMs);
  }
  const last = readings.at(-1);
  const caughtUp = readings.find((r) => r.lag === 0 && r.lastOffset === last?.lastOffset);
  return {
    atEnd: readings[0]?.lag,
    catchUpSeconds:
      caughtUp === undefined || last?.lag !== 0 ? null : (caughtUp.at - stoppedAt) / 1000,
  };
}

function phases(load: LoadResult): PhaseResult[] {
  return load.warmup === null ? [load.measured] : [load.warmup, load.measured];
}

function summarize<T extends RoundResult['target']>(
  target: T,
  round: number,
  load: LoadResult,
  cpu: CpuReport,
): Omit<RoundResult, 'failures' | 'target'> & { target: T } {
  const { measured } = load;
  return {
    target,
    round,
    eventsPerSecond: (measured.ok * messagesPerBatch) / measured.seconds,
    requestsPerSecond: measured.ok / measured.seconds,
    latencyMs: measured.latencyMs,
    load,
    cpu,
  };
}

function loadFailures(target: string, load: LoadResult): string[] {
  const failures: string[] = [];
  for (const [name, phase] of [
    ['warm-up', load.warmup],
    ['measured run', load.measured],
  ] as const) {
    if (phase === null) continue;
    if (phase.non2xx > 0) {
      failures.push(
        `${target} answered ${phase.non2xx} non-2xx in the ${name} (${JSON.stringify(phase.statusCodes)})`,
      );
    }
    if (phase.errors > 0) {
      failures.push(
        `${phase.errors} connection errors (${phase.timeouts} timeouts) against ${target} in the ${name}`,
      );
    }
    if (phase.resentFailed > 0) {
      failures.push(
        `${phase.resentFailed} of ${phase.inFlightAtStop} cut-off requests could not be re-sent to ${target} after the ${name}`,
      );
    }
    for (const sample of phase.failureSamples) failures.push(`  e.g. ${sample}`);
  }
  return failures;
}
