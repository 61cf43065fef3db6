/** The printed lines and the JSON results file of bench:segments. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { count, cpuLine, median } from '../ingest/report.js';
import type { BackgroundResult, ProbeResult } from './latency.js';
import type { StatePeek } from './state-peek.js';
import type { ThroughputRun } from './throughput.js';

export const targets = { latencyP99Ms: 50, backfillSeconds: 30, throughputRatio: 0.7 };

export const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
export const seconds = (s: number): string => `${s.toFixed(1)} s`;
const ms = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;

/** Nearest-rank percentile (`p` in 0..1); NaN when empty. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  n: number;
  /** Probes whose membership did not show within the poll limit. */
  notVisible: number;
}

export function summarizeLatency(probes: ProbeResult[]): LatencySummary {
  const visible = probes.flatMap((p) => (p.latencyMs === null ? [] : [p.latencyMs]));
  return {
    p50Ms: percentile(visible, 0.5),
    p99Ms: percentile(visible, 0.99),
    maxMs: percentile(visible, 1),
    n: visible.length,
    notVisible: probes.length - visible.length,
  };
}

export function latencyLines(
  probes: ProbeResult[],
  background: BackgroundResult,
  planned: number,
): string[] {
  const all = summarizeLatency(probes);
  const part = (kind: ProbeResult['kind'], label: string): string => {
    const s = summarizeLatency(probes.filter((p) => p.kind === kind));
    return `${label} p50 ${ms(s.p50Ms)} p99 ${ms(s.p99Ms)} (n=${s.n})`;
  };
  const polls = median(probes.map((p) => p.polls));
  const lost =
    (all.notVisible === 0 ? '' : `; ${all.notVisible} NOT visible within 10 s`) +
    (probes.length < planned
      ? `; only ${probes.length} of ${planned} probes ran (stopped: too slow)`
      : '');
  const evaluated = probes.flatMap((p) => (p.evaluatedMs === null ? [] : [p.evaluatedMs]));
  return [
    `latency event→membership: p50 ${ms(all.p50Ms)} p99 ${ms(all.p99Ms)} (n=${all.n})  (target p99 <= ${targets.latencyP99Ms} ms: ${met(all.notVisible === 0 && all.p99Ms <= targets.latencyP99Ms)})${probes.length < planned ? `  (${probes.length} of ${planned} probes)` : ''}`,
    `      ${part('new', 'new profiles')}; ${part('existing', 'existing profiles')}; max ${ms(all.maxMs)}; probe ack p50 ${ms(median(probes.map((p) => p.ackMs)))}; median ${polls} polls per probe${lost}`,
    `      processor: entry evaluated p50 ${ms(percentile(evaluated, 0.5))} p99 ${ms(percentile(evaluated, 0.99))} after the probe was sent (n=${evaluated.length}; server clock, from state.db segment_changes.at)`,
    `      background: ${count(background.eventsPerSecond)} events/s for ${seconds(background.seconds)} (${count(background.ok)} of ${count(background.requests)} requests acknowledged; ack p50 ${ms(percentile(background.ackMs, 0.5))} p99 ${ms(percentile(background.ackMs, 0.99))})${background.failures.length > 0 ? `; FAILURES: ${background.failures.join(' | ')}` : ''}`,
  ];
}

/** The state-file diagnostics: server-side backfill time, the membership outbox. */
export function peekLine(peek: StatePeek | undefined): string {
  if (peek === undefined) return 'server state: n/a (state.db not readable)';
  const backfill = peek.backfillSeconds === null ? 'n/a' : seconds(peek.backfillSeconds);
  const behind = peek.changes - peek.announced;
  return `server state: backfill ${backfill} by the server's clock; ${count(peek.changes)} membership changes, ${count(peek.announced)} announced as Segment Entered/Exited (${count(behind)} behind)`;
}

export function healthzLine(times: number[]): string {
  return `API responsiveness: GET /healthz p50 ${ms(percentile(times, 0.5))}, max ${ms(percentile(times, 1))} (${times.length} sequential requests)`;
}

export function throughputRunLines(run: ThroughputRun, rounds: number): string[] {
  const name = run.variant === 'none' ? 'no segments ' : `${run.segments} segments`;
  const m = run.load.measured;
  const lag =
    run.lagAtEnd === undefined
      ? 'processor lag n/a'
      : `processor: lag at end ${count(run.lagAtEnd)} events, then ${count(run.processedPerSecond ?? NaN)} events/s (${run.catchUpSeconds === null ? 'not caught up within the cap' : `caught up in ${seconds(run.catchUpSeconds)}`})`;
  return [
    `  round ${run.round}/${rounds} ${name}: ${count(run.eventsPerSecond)} events/s  p50 ${ms(run.latencyMs.p50)}  p99 ${ms(run.latencyMs.p99)}  (${count(m.ok)} requests in ${m.seconds.toFixed(1)} s; non-2xx ${m.non2xx}, errors ${m.errors}); ${lag}`,
    `      ${cpuLine(run.cpu)}`,
    ...run.failures.map((f) => `      FAILURE: ${f}`),
  ];
}

export interface ThroughputSummary {
  eventsPerSecond: number;
  processedPerSecond: number;
  rounds: number[];
}

export function summarizeThroughput(runs: ThroughputRun[]): ThroughputSummary {
  return {
    eventsPerSecond: median(runs.map((r) => r.eventsPerSecond)),
    processedPerSecond: median(runs.map((r) => r.processedPerSecond ?? NaN)),
    rounds: runs.map((r) => r.eventsPerSecond),
  };
}

export function gitState(): { commit: string; dirty: boolean } | null {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain') !== '' };
  } catch {
    return null;
  }
}

export function writeResults(dir: string, results: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `segments-${new Date().toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
