/**
 * CPU accounting from /proc (Linux): how much CPU each process, and each of its threads,
 * used between two samples, and how busy the whole machine was. On a 2-core machine the
 * load generator competes with the server, so this is what explains the figures.
 * Elsewhere the samples are empty and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const ticksPerSecond = clockTicks();

function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

export interface ProcessSample {
  at: number;
  /** CPU seconds so far, by thread id. */
  threads: Map<number, number>;
}

export interface MachineSample {
  at: number;
  busySeconds: number;
}

/** utime + stime of a /proc stat line, in seconds. */
function cpuSeconds(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export function sampleProcess(pid: number): ProcessSample | undefined {
  const at = performance.now();
  try {
    const threads = new Map<number, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads.set(Number(tid), cpuSeconds(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
      } catch {
        // the thread ended between listing and reading
      }
    }
    return { at, threads };
  } catch {
    return undefined;
  }
}

export function sampleMachine(): MachineSample | undefined {
  const at = performance.now();
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal …
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
      (s, v) => s + (v ?? 0),
      0,
    );
    return { at, busySeconds: busy / ticksPerSecond };
  } catch {
    return undefined;
  }
}

export interface ProcessCpu {
  /** Cores used on average (1.0 = one core fully busy). */
  cores: number;
  /** Cores used by the main thread (thread id = pid). */
  mainThread: number;
  /** Cores used by the other threads, busiest first (workers, libuv pool, GC). */
  otherThreads: number[];
}

export function processCpu(
  pid: number,
  from: ProcessSample | undefined,
  to: ProcessSample | undefined,
): ProcessCpu | undefined {
  if (from === undefined || to === undefined) return undefined;
  const seconds = (to.at - from.at) / 1000;
  if (seconds <= 0) return undefined;
  let mainThread = 0;
  const otherThreads: number[] = [];
  for (const [tid, total] of to.threads) {
    const cores = (total - (from.threads.get(tid) ?? 0)) / seconds;
    if (tid === pid) mainThread = cores;
    else if (cores >= 0.005) otherThreads.push(cores);
  }
  otherThreads.sort((a, b) => b - a);
  return {
    cores: otherThreads.reduce((s, c) => s + c, mainThread),
    mainThread,
    otherThreads,
  };
}

export interface MachineCpu {
  cores: number;
  busyCores: number;
}

export function machineCpu(
  from: MachineSample | undefined,
  to: MachineSample | undefined,
): MachineCpu | undefined {
  if (from === undefined || to === undefined || to.at <= from.at) return undefined;
  return {
    cores: cpus().length,
    busyCores: (to.busySeconds - from.busySeconds) / ((to.at - from.at) / 1000),
  };
}
