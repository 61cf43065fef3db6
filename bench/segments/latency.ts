/**
 * Latency from an event to the membership it causes, as an API client sees it. A steady
 * background load runs (the shop's live traffic); meanwhile, one at a time and spread over
 * the run, a probe sends an `Order Completed` of at least `probeRevenue` (a single-message
 * batch) for a profile known not to be in the probe segment, then polls
 * GET /v1/profiles/user_id:<id>/segments in a tight loop (1 ms between answers) until the
 * segment is listed. Latency = the answer that lists it − the acknowledgement of the event.
 * Probes alternate between a new user (their first event: a new profile, evaluated against
 * every segment) and an existing user of the history (only the affected segments).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Random } from '../ingest/random.js';
import type { History } from './history.js';
import { probeRevenue, probeSegmentId } from './segment-mix.js';
import { adminKey, authorization } from './server.js';

export interface LatencyPlan {
  url: string;
  probes: number;
  seconds: number;
  /** Background events per second (100 per request). */
  rate: number;
  seed: number;
  /**
   * When the server evaluated the user's entry into the probe segment (epoch ms, its
   * clock), looked up after the probe; a diagnostic beside the API latency.
   */
  enteredAt?: (userId: string) => number | null;
}

export interface ProbeResult {
  kind: 'new' | 'existing';
  userId: string;
  /** Acknowledged → visible, ms; null when not visible within the poll limit. */
  latencyMs: number | null;
  /** Request sent → acknowledged, ms. */
  ackMs: number;
  polls: number;
  /** Sent → the processor evaluated the entry (server clock, epoch ms), ms; null if unknown. */
  evaluatedMs: number | null;
}

export interface BackgroundResult {
  requests: number;
  ok: number;
  failures: string[];
  seconds: number;
  eventsPerSecond: number;
  ackMs: number[];
}

const pollLimitMs = 10_000;
/** Three probes in a row not visible within the poll limit: the server is not keeping up. */
const giveUpAfter = 3;
const headers = { 'content-type': 'application/json', authorization };
const adminHeaders = { authorization: `Bearer ${adminKey}` };
/** The ingest generator's user ids (payloads.ts `userIdOf`). */
const userIdOf = (user: number): string => `user_${String(user).padStart(6, '0')}`;

export async function measureLatency(
  plan: LatencyPlan,
  history: History,
): Promise<{ probes: ProbeResult[]; background: BackgroundResult }> {
  const bodies = Array.from({ length: Math.ceil((plan.seconds * plan.rate) / 100) + 50 }, () =>
    history.liveBody(),
  );
  const candidates = existingUsers(plan.seed);
  const runTag = Date.now().toString(36);
  const started = performance.now();
  const background = startBackground(plan, (n) => bodies[n] ?? history.liveBody());
  const probes: ProbeResult[] = [];
  try {
    const spacing = (plan.seconds * 1000) / plan.probes;
    for (let k = 0; k < plan.probes; k++) {
      // Probes slower than planned: stop at twice the planned time, so the run stays bounded.
      if (performance.now() - started > 2 * plan.seconds * 1000) break;
      const kind = k % 2 === 0 ? 'new' : 'existing';
      const userId =
        kind === 'new' ? `probe_${runTag}_${k}` : await nonMember(plan.url, candidates);
      const due = started + (k + 0.5) * spacing;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const result = await probe(plan.url, kind, userId, k);
      const at = plan.enteredAt?.(userId) ?? null;
      result.evaluatedMs = at === null ? null : at - result.sentAt;
      probes.push(result);
      // Three in a row not visible within 10 s: the server is not keeping up; stop here.
      if (
        probes.length >= giveUpAfter &&
        probes.slice(-giveUpAfter).every((p) => p.latencyMs === null)
      )
        break;
    }
  } finally {
    await background.stop();
  }
  return { probes, background: background.result() };
}

async function probe(
  url: string,
  kind: ProbeResult['kind'],
  userId: string,
  k: number,
): Promise<ProbeResult & { sentAt: number }> {
  const body = JSON.stringify({
    batch: [
      {
        type: 'track',
        userId,
        event: 'Order Completed',
        timestamp: new Date().toISOString(),
        properties: {
          order_id: `probe_${userId}_${k}`,
          revenue: probeRevenue + 1 + k,
          currency: 'USD',
        },
      },
    ],
  });
  const sentAt = Date.now();
  const sent = performance.now();
  const response = await fetch(`${url}/v1/batch`, { method: 'POST', headers, body });
  const text = await response.text();
  const acknowledged = performance.now();
  if (!response.ok) throw new Error(`probe: POST /v1/batch answered ${response.status}: ${text}`);
  let polls = 0;
  while (performance.now() - acknowledged < pollLimitMs) {
    polls++;
    const segments = await segmentsOf(url, userId);
    if (segments?.includes(probeSegmentId) === true) {
      return {
        kind,
        userId,
        latencyMs: performance.now() - acknowledged,
        ackMs: acknowledged - sent,
        polls,
        evaluatedMs: null,
        sentAt,
      };
    }
    await sleep(1);
  }
  return {
    kind,
    userId,
    latencyMs: null,
    ackMs: acknowledged - sent,
    polls,
    evaluatedMs: null,
    sentAt,
  };
}

/** The profile's segment ids; undefined while there is no such profile (404). */
async function segmentsOf(url: string, userId: string): Promise<string[] | undefined> {
  const response = await fetch(
    `${url}/v1/profiles/user_id:${encodeURIComponent(userId)}/segments?history=0`,
    { headers: adminHeaders },
  );
  const text = await response.text();
  if (response.status === 404) return undefined;
  if (!response.ok) {
    throw new Error(
      `GET /v1/profiles/user_id:${userId}/segments answered ${response.status}: ${text}`,
    );
  }
  return (JSON.parse(text) as { segments: { segmentId: string }[] }).segments.map(
    (s) => s.segmentId,
  );
}

/** User ids of the history in a seeded order, without repeats. */
function* existingUsers(seed: number): Generator<string> {
  const random = new Random(seed + 4242);
  const seen = new Set<number>();
  while (seen.size < 100_000) {
    const user = random.int(100_000);
    if (seen.has(user)) continue;
    seen.add(user);
    yield userIdOf(user);
  }
}

/** The next candidate that has a profile and is not in the probe segment (checked untimed). */
async function nonMember(url: string, candidates: Generator<string>): Promise<string> {
  // Not for…of: leaving that loop early would close the generator for the next probe.
  for (let next = candidates.next(); next.done !== true; next = candidates.next()) {
    const userId = next.value;
    const segments = await segmentsOf(url, userId);
    if (segments !== undefined && !segments.includes(probeSegmentId)) return userId;
  }
  throw new Error('no existing profile left to probe');
}

/** POSTs one body every 100 / rate seconds, on schedule, without waiting for answers. */
function startBackground(plan: LatencyPlan, body: (n: number) => string) {
  const result: BackgroundResult = {
    requests: 0,
    ok: 0,
    failures: [],
    seconds: 0,
    eventsPerSecond: 0,
    ackMs: [],
  };
  const inFlight = new Set<Promise<void>>();
  const intervalMs = plan.rate > 0 ? (100 * 1000) / plan.rate : Infinity;
  const started = performance.now();
  let stopped = false;
  const send = (body: string): void => {
    result.requests++;
    const sent = performance.now();
    const request = fetch(`${plan.url}/v1/batch`, { method: 'POST', headers, body })
      .then(async (response) => {
        const answer = await response.text();
        if (response.ok) {
          result.ok++;
          result.ackMs.push(performance.now() - sent);
        } else if (result.failures.length < 5) {
          result.failures.push(`HTTP ${response.status}: ${answer.slice(0, 300)}`);
        }
      })
      .catch((error: unknown) => {
        if (result.failures.length < 5) result.failures.push(String(error));
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const loop = (async () => {
    for (let n = 0; !stopped && Number.isFinite(intervalMs); n++) {
      const wait = started + n * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      send(body(n));
    }
  })();
  return {
    async stop(): Promise<void> {
      stopped = true;
      await loop;
      result.seconds = (performance.now() - started) / 1000;
      await Promise.all(inFlight);
      result.eventsPerSecond = (result.ok * 100) / result.seconds;
    },
    result: () => result,
  };
}

/** `n` sequential GET /healthz round trips, ms: is the server's main thread free? */
export async function healthzTimes(url: string, n = 20): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/healthz`);
    await response.text();
    times.push(performance.now() - started);
    await sleep(50);
  }
  return times;
}
