/** Figures of bench:journeys: lags, send rates, the timer-lag histogram, printed lines. */
import { count, cpuLine, median } from '../ingest/report.js';
import { percentile } from '../segments/report.js';
import type { LoadWindow } from './load-window.js';

export const targets = { ingestRatio: 0.7 };
export const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
export const secs = (s: number): string =>
  Number.isFinite(s) ? `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s` : 'n/a';
export { count, median, percentile };

export interface LagSummary {
  /** Due timers (due by the end of the drain). */
  due: number;
  /** Of those, emails that reached the sink. */
  sent: number;
  /** Lags of the emails that arrived, seconds (arrival − due time). */
  p50: number;
  p99: number;
  max: number;
  /**
   * The same over every due timer, the unsent ones counted at the lag they had reached
   * when the drain stopped: exact when all were sent, lower bounds otherwise.
   */
  allP50: number;
  allP99: number;
  allMax: number;
  /** Arrivals whose run's due time was not read (should be 0). */
  unmatched: number;
}

/** Timer firing lag: when each email reached the sink minus when its run's wait ended. */
export function summarizeLag(
  arrivals: readonly { at: number; messageId: string }[],
  actionRuns: Map<string, string>,
  dueAt: Map<string, number>,
  endedAt: number,
): LagSummary {
  const sentRuns = new Set<string>();
  const lags: number[] = [];
  let unmatched = 0;
  for (const { at, messageId } of arrivals) {
    const runId = actionRuns.get(messageId.replace(/@attune$/, ''));
    const due = runId === undefined ? undefined : dueAt.get(runId);
    if (runId === undefined || due === undefined) {
      unmatched++;
      continue;
    }
    sentRuns.add(runId);
    lags.push((at - due) / 1000);
  }
  const waited: number[] = [];
  for (const [runId, due] of dueAt) {
    if (due <= endedAt && !sentRuns.has(runId)) waited.push((endedAt - due) / 1000);
  }
  const all = [...lags, ...waited];
  return {
    due: lags.length + waited.length,
    sent: lags.length,
    p50: percentile(lags, 0.5),
    p99: percentile(lags, 0.99),
    max: percentile(lags, 1),
    allP50: percentile(all, 0.5),
    allP99: percentile(all, 0.99),
    allMax: percentile(all, 1),
    unmatched,
  };
}

export interface SendRate {
  /** Emails per 1-second window from the first arrival (the last, partial one left out). */
  windows: number[];
  /** Whether each window lay (at least half) inside `busy`. */
  busy: boolean[];
  /** All arrivals over first → last arrival. */
  overall: number;
  first: number;
  last: number;
}

/** Emails/s at the sink in 1-second windows; `busy` marks windows inside [from, to]. */
export function sendRate(
  arrivals: readonly { at: number }[],
  busy?: { from: number; to: number },
): SendRate {
  if (arrivals.length === 0) return { windows: [], busy: [], overall: NaN, first: NaN, last: NaN };
  const first = arrivals[0]!.at;
  const last = arrivals.at(-1)!.at;
  const windows = new Array<number>(Math.floor((last - first) / 1000)).fill(0);
  for (const { at } of arrivals) {
    const i = Math.floor((at - first) / 1000);
    if (i < windows.length) windows[i]! += 1;
  }
  const inside = windows.map((_n, i) => {
    const mid = first + i * 1000 + 500;
    return busy !== undefined && mid >= busy.from && mid <= busy.to;
  });
  const seconds = (last - first) / 1000;
  return {
    windows,
    busy: inside,
    overall: seconds > 0 ? arrivals.length / seconds : NaN,
    first,
    last,
  };
}

export interface Histogram {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

/** A Prometheus histogram from /metrics text (cumulative buckets), or undefined. */
export function parseHistogram(text: string, name: string): Histogram | undefined {
  const buckets: { le: number; count: number }[] = [];
  let total: number | undefined;
  let sum = NaN;
  for (const line of text.split('\n')) {
    const bucket = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\}\\s+(\\S+)`).exec(line);
    if (bucket !== null) buckets.push({ le: Number(bucket[1]), count: Number(bucket[2]) });
    else if (line.startsWith(`${name}_count`)) total = Number(line.split(/\s+/)[1]);
    else if (line.startsWith(`${name}_sum`)) sum = Number(line.split(/\s+/)[1]);
  }
  if (total === undefined) return undefined;
  buckets.sort((a, b) => a.le - b.le);
  return { buckets, count: total, sum };
}

/** The bucket bound the `p` quantile falls under ("≤ 0.05 s"), from cumulative buckets. */
export function bucketQuantile(h: Histogram, p: number): string {
  const rank = p * h.count;
  const bucket = h.buckets.find((b) => b.count >= rank);
  if (bucket === undefined || h.count === 0) return 'n/a';
  if (!Number.isFinite(bucket.le)) {
    const top = h.buckets.filter((b) => Number.isFinite(b.le)).at(-1)?.le ?? NaN;
    return `> ${top} s`;
  }
  return `≤ ${bucket.le} s`;
}

export function windowLine(name: string, w: LoadWindow): string[] {
  const m = w.load.measured;
  return [
    `${name}: ${count(w.eventsPerSecond)} events/s  p50 ${m.latencyMs.p50} ms  p99 ${m.latencyMs.p99} ms  (${count(m.ok)} requests in ${m.seconds.toFixed(1)} s; non-2xx ${m.non2xx}, errors ${m.errors})`,
    `      ${cpuLine(w.cpu)}`,
  ];
}
