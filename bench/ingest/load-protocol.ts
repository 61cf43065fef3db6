/**
 * What the orchestrator and the load-generator process (load.ts) tell each other: the plan
 * goes in as JSON in an environment variable, progress and the result come back over IPC.
 */

export const loadPlanVariable = 'BENCH_LOAD_PLAN';

export interface LoadPlan {
  /** POST target, e.g. http://127.0.0.1:1234/v1/batch */
  url: string;
  authorization: string;
  poolFile: string;
  /** Request numbers start here; every request gets the next one (see body-pool.ts). */
  firstRequest: number;
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
}

export interface LatencyMs {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PhaseResult {
  /** Wall time autocannon ran, from its own clock. */
  seconds: number;
  /** Requests handed to a connection. */
  sent: number;
  /** 2xx responses. */
  ok: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Connection errors and timeouts (autocannon counts timeouts as errors too). */
  errors: number;
  timeouts: number;
  latencyMs: LatencyMs;
  /**
   * Requests still unanswered when autocannon stopped. Their outcome is unknown (the server
   * may or may not have stored them), so they are re-sent, byte for byte, and answered —
   * like a Segment SDK retrying after a timeout. Dedup makes that exact.
   */
  inFlightAtStop: number;
  resentOk: number;
  resentFailed: number;
  /** The first few distinct failures (responses or errors), each with how often it occurred. */
  failureSamples: string[];
}

export interface LoadResult {
  warmup: PhaseResult | null;
  measured: PhaseResult;
  /** The first request number not used. */
  nextRequest: number;
}

export type LoadMessage =
  | { kind: 'measuring' }
  | { kind: 'stopped' }
  | { kind: 'result'; result: LoadResult }
  | { kind: 'failed'; error: string };
