/**
 * Two ways to load a decide endpoint: open-loop at a fixed rate (each request's latency is
 * counted from when it was due, so a stall is not hidden by sending less), and closed-loop
 * at the most the server takes (autocannon, a fixed number of connections).
 */
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

export interface FixedRateResult {
  sent: number;
  ok: number;
  failed: number;
  /** Sorted latencies (ms) of the answered requests. */
  latencies: number[];
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<number>((resolve) => {
    const req = request(
      {
        agent,
        method: 'POST',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** `rate` requests per second for `seconds`, bodies in turn from `bodies`. */
export async function fixedRate(
  url: string,
  headers: Record<string, string>,
  bodies: readonly string[],
  rate: number,
  seconds: number,
): Promise<FixedRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait - 1));
    while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
    const body = bodies[i % bodies.length] as string;
    pending.push(
      post(agent, target, headers, body).then((status) => {
        if (status === 200) {
          ok++;
          latencies.push(performance.now() - due);
        } else failed++;
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent: total, ok, failed, latencies };
}

export interface MaxResult {
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
}

/** As many requests as `connections` connections get answered in `seconds`. */
export async function maxThroughput(
  url: string,
  headers: Record<string, string>,
  bodies: readonly string[],
  connections: number,
  seconds: number,
): Promise<MaxResult> {
  let next = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers,
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.total / seconds,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
