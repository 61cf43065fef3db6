/** Turning rounds into the printed report and the JSON results file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessCpu } from './cpu.js';
import type { AttuneRoundResult, CpuReport, RoundResult } from './rounds.js';

export const targets = { ratio: 0.6, eventsPerSecond: 50_000 };

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rounds: number[];
}

export function summarize(rounds: RoundResult[]): Summary {
  return {
    eventsPerSecond: median(rounds.map((r) => r.eventsPerSecond)),
    p50Ms: median(rounds.map((r) => r.latencyMs.p50)),
    p99Ms: median(rounds.map((r) => r.latencyMs.p99)),
    rounds: rounds.map((r) => r.eventsPerSecond),
  };
}

export const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
const cores = (n: number): string => n.toFixed(2);

function processCpuText(cpu: ProcessCpu | undefined): string {
  if (cpu === undefined) return 'n/a';
  const others = cpu.otherThreads.slice(0, 3).map(cores);
  const rest = cpu.otherThreads.slice(3).reduce((s, c) => s + c, 0);
  if (rest >= 0.01) others.push(`${cores(rest)} rest`);
  return `${cores(cpu.cores)} (main thread ${cores(cpu.mainThread)}${others.length > 0 ? `, other threads ${others.join(' + ')}` : ''})`;
}

/** "cpu: server … load generator … machine …" for one round. */
export function cpuLine(cpu: CpuReport): string {
  const machine =
    cpu.machine === undefined
      ? 'n/a'
      : `${cores(cpu.machine.busyCores)} of ${cpu.machine.cores} cores busy`;
  return `cpu (cores): server ${processCpuText(cpu.server)}; load generator ${processCpuText(cpu.load)}; machine ${machine}`;
}

export function roundLine(r: RoundResult, of: number): string {
  const name = r.target === 'floor' ? 'floor ' : 'attune';
  const m = r.load.measured;
  return `  round ${r.round}/${of} ${name}: ${count(r.eventsPerSecond)} events/s  p50 ${ms(r.latencyMs.p50)}  p99 ${ms(r.latencyMs.p99)}  (${count(m.ok)} requests in ${m.seconds.toFixed(1)} s; non-2xx ${m.non2xx}, errors ${m.errors})`;
}

export function summaryLine(name: string, s: Summary): string {
  return `${name.padEnd(8)}: ${count(s.eventsPerSecond)} events/s  p50 ${ms(s.p50Ms)}  p99 ${ms(s.p99Ms)}  (rounds: ${s.rounds.map(count).join(', ')})`;
}

export function catchUpText(a: AttuneRoundResult): string {
  const lag = a.lagAtEnd === undefined ? 'n/a (no lag metric)' : `${count(a.lagAtEnd)} events`;
  const caughtUp =
    a.lagAtEnd === undefined
      ? ''
      : a.catchUpSeconds === null
        ? '; NOT caught up within 60 s'
        : `; caught up in ${a.catchUpSeconds.toFixed(1)} s`;
  return `lag at end of load ${lag}${caughtUp}${processedText(a)}`;
}

/** Events/s processed into profiles: while the load ran, and alone once it stopped. */
function processedText(a: AttuneRoundResult): string {
  if (a.lagAtEnd === undefined) return '';
  const loadSeconds = (a.load.warmup?.seconds ?? 0) + a.load.measured.seconds;
  const during = (a.acknowledgedEvents - a.lagAtEnd) / loadSeconds;
  const after =
    a.catchUpSeconds !== null && a.catchUpSeconds > 0.5
      ? `, ${count(a.lagAtEnd / a.catchUpSeconds)} events/s after`
      : '';
  return `; processed ${count(during)} events/s during the load${after}`;
}

/** Acknowledged vs stored events; `detail` says how they add up. */
export function logCheckText(attunes: AttuneRoundResult[]): string {
  const acknowledged = attunes.reduce((s, a) => s + a.acknowledgedEvents, 0);
  const stored = attunes.reduce((s, a) => s + a.logEvents, 0);
  const ok = attunes.every((a) => a.logEvents === a.acknowledgedEvents);
  const resent = attunes.reduce(
    (s, a) => s + (a.load.warmup?.resentOk ?? 0) + a.load.measured.resentOk,
    0,
  );
  const duplicates = attunes.reduce((s, a) => s + a.duplicates, 0);
  return `acknowledged ${count(acknowledged)} events, log holds ${count(stored)} events: ${ok ? 'OK' : 'MISMATCH'}  (${attunes.length === 1 ? 'warm-up included' : `${attunes.length} rounds, warm-ups included`}; ${resent} cut-off requests re-sent, ${count(duplicates)} events acknowledged as duplicates)`;
}

export function writeResults(dir: string, results: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ingest-${new Date().toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** A warning that stands out in the output. */
export function loud(title: string, lines: string[]): void {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n!! ${title}`);
  for (const line of lines) console.log(`!!   ${line}`);
  console.log(bar);
}

/** Overwrites the current terminal line with progress (nothing when not a terminal). */
export function progress(text: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${text}`);
}

/**
 * Runs a benchmark's main and exits with its code; a throw is reported loudly and exits 1.
 * Children are stopped by then; the exit hooks remove temp directories.
 */
export async function runBenchmark(main: () => Promise<number>): Promise<never> {
  try {
    process.exitCode = await main();
  } catch (error) {
    loud('BENCHMARK FAILED', String(error instanceof Error ? error.message : error).split('\n'));
    process.exitCode = 1;
  }
  process.exit();
}
