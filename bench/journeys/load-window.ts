/**
 * One ingest window: the ingest benchmark's load generator (autocannon in its own process,
 * the same pool of shop batches, 100 messages per request) against the running Attune for a
 * warm-up and a measured phase. Only 2xx answers count.
 */
import type { LoadResult } from '../ingest/load-protocol.js';
import { messagesPerBatch } from '../ingest/payloads.js';
import { runLoad, type CpuReport } from '../ingest/rounds.js';
import { authorization, type AttuneServer } from '../segments/server.js';

export interface WindowPlan {
  poolFile: string;
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
  /** The first unused request number (messageIds never repeat across windows). */
  firstRequest: number;
}

export interface LoadWindow {
  eventsPerSecond: number;
  latencyMs: LoadResult['measured']['latencyMs'];
  /** Date.now() when the measured phase started and stopped. */
  measuredFrom: number;
  measuredTo: number;
  /** Date.now() when the warm-up started. */
  startedAt: number;
  load: LoadResult;
  cpu: CpuReport;
  failures: string[];
}

export async function loadWindow(server: AttuneServer, plan: WindowPlan): Promise<LoadWindow> {
  const startedAt = Date.now();
  let stoppedAt = NaN;
  const { load, cpu } = await runLoad(
    {
      url: `${server.url}/v1/batch`,
      authorization,
      poolFile: plan.poolFile,
      firstRequest: plan.firstRequest,
      warmupSeconds: plan.warmupSeconds,
      durationSeconds: plan.durationSeconds,
      connections: plan.connections,
    },
    server.child.pid,
    () => (stoppedAt = Date.now()),
  );
  const { measured } = load;
  const failures: string[] = [];
  for (const phase of load.warmup === null ? [measured] : [load.warmup, measured]) {
    if (phase.non2xx > 0)
      failures.push(`${phase.non2xx} non-2xx answers (${JSON.stringify(phase.statusCodes)})`);
    if (phase.errors > 0)
      failures.push(`${phase.errors} connection errors (${phase.timeouts} timeouts)`);
    if (phase.resentFailed > 0)
      failures.push(`${phase.resentFailed} cut-off requests could not be re-sent`);
    for (const sample of phase.failureSamples) failures.push(`  e.g. ${sample}`);
  }
  return {
    eventsPerSecond: (measured.ok * messagesPerBatch) / measured.seconds,
    latencyMs: measured.latencyMs,
    measuredFrom: stoppedAt - measured.seconds * 1000,
    measuredTo: stoppedAt,
    startedAt,
    load,
    cpu,
    failures,
  };
}
