/**
 * The load generator, run as its own process (never inside a server's process): autocannon
 * POSTing batch bodies from the pool, each request with its own request number stamped
 * into its messageIds. A warm-up phase, then the measured phase; progress and the result
 * go to the orchestrator over IPC (see load-protocol.ts).
 */
import autocannon from 'autocannon';
import { BodyPool } from './body-pool.js';
import {
  loadPlanVariable,
  type LoadMessage,
  type LoadPlan,
  type PhaseResult,
} from './load-protocol.js';

const plan = JSON.parse(process.env[loadPlanVariable] ?? 'null') as LoadPlan | null;
if (plan === null) throw new Error(`${loadPlanVariable} is not set; run via bench/ingest/run.ts`);

const pool = BodyPool.read(plan.poolFile);
const headers = { 'content-type': 'application/json', authorization: plan.authorization };
let nextRequest = plan.firstRequest;

/** Per-connection state autocannon hands to both callbacks of a request. */
interface ConnectionContext {
  request?: number;
}

async function phase(seconds: number, onStopped: () => Promise<void>): Promise<PhaseResult> {
  const unanswered = new Set<number>();
  /** Distinct failure texts (the first few) and how often each occurred. */
  const failures = new Map<string, number>();
  const sample = (text: string): void => {
    const key = text.slice(0, 400);
    const seen = failures.get(key);
    if (seen !== undefined) failures.set(key, seen + 1);
    else if (failures.size < 5) failures.set(key, 1);
  };
  let sent = 0;
  let ok = 0;

  const result = await autocannon({
    url: plan!.url,
    method: 'POST',
    connections: plan!.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    headers,
    requests: [
      {
        // autocannon copies the body into the request it writes before calling this again,
        // so the pool's stamp-in-place body is safe here.
        setupRequest: (request, context) => {
          const n = nextRequest++;
          (context as ConnectionContext).request = n;
          unanswered.add(n);
          sent++;
          request.body = pool.body(n);
          return request;
        },
        onResponse: (status, body, context) => {
          const n = (context as ConnectionContext).request;
          if (n !== undefined) unanswered.delete(n);
          if (status >= 200 && status < 300) ok++;
          else sample(`HTTP ${status}: ${body}`);
        },
      },
    ],
  });
  await onStopped();

  if (result['2xx'] !== ok) {
    sample(`internal: autocannon counted ${result['2xx']} 2xx, the response callback ${ok}`);
  }
  if (result.errors > 0) sample(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  const resent = await resend([...unanswered], sample);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = count ?? 0;
  }
  const { mean, p50, p90, p99, max } = result.latency;
  return {
    seconds: result.duration,
    sent,
    ok,
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { mean, p50, p90, p99, max },
    inFlightAtStop: unanswered.size,
    resentOk: resent.ok,
    resentFailed: resent.failed,
    failureSamples: [...failures].map(([text, times]) => `${times}× ${text}`),
  };
}

/** Re-sends the requests whose answer autocannon cut off, until each is answered (or fails). */
async function resend(
  requests: number[],
  sample: (text: string) => void,
): Promise<{ ok: number; failed: number }> {
  const statuses = await Promise.all(
    requests.map(async (n) => {
      try {
        const response = await fetch(plan!.url, {
          method: 'POST',
          headers,
          body: new Uint8Array(pool.body(n)),
        });
        const text = await response.text();
        if (!response.ok) sample(`re-send: HTTP ${response.status}: ${text}`);
        return response.ok;
      } catch (error) {
        sample(`re-send: ${String(error)}`);
        return false;
      }
    }),
  );
  const ok = statuses.filter(Boolean).length;
  return { ok, failed: statuses.length - ok };
}

async function send(message: LoadMessage): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('load.ts must be started with an IPC channel'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error === null ? resolve() : reject(error)));
  });
}

try {
  const warmup = plan.warmupSeconds > 0 ? await phase(plan.warmupSeconds, async () => {}) : null;
  await send({ kind: 'measuring' });
  const measured = await phase(plan.durationSeconds, () => send({ kind: 'stopped' }));
  await send({ kind: 'result', result: { warmup, measured, nextRequest } });
} catch (error) {
  await send({
    kind: 'failed',
    error: error instanceof Error ? (error.stack ?? '') : String(error),
  });
  process.exitCode = 1;
}
process.disconnect();
