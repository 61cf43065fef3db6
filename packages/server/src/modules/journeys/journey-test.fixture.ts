import { expect } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { callApi, settle, startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

/** A real Attune for journey tests: time moved by hand, journeys run on demand. */
export interface JourneyTestApp {
  t: TestApp;
  clock: ManualClock;
  /** An admin API call. */
  call(method: string, url: string, payload?: object): ReturnType<typeof callApi>;
  /** Ingests a batch, then lets the processor and the journeys take it in. */
  send(batch: object[]): Promise<void>;
  /** Moves time on and lets the journeys run whatever came due. */
  advance(ms: number): Promise<void>;
  define(journey: object): Promise<void>;
  /** A journey's stats by step. */
  steps(journey: string): Promise<Record<string, Record<string, number>>>;
}

export async function startJourneyTestApp(
  startsAt: string,
  env: Record<string, string> = {},
): Promise<JourneyTestApp> {
  const clock = new ManualClock(Date.parse(startsAt));
  const t = await startTestApp(env, { clock });
  const drain = () => t.app.journeys.executor!.drain();
  const call = (method: string, url: string, payload?: object) =>
    callApi(t.app, method, url, payload, t.bearerAdmin);
  return {
    t,
    clock,
    call,
    async send(batch) {
      const res = await callApi(t.app, 'POST', '/v1/batch', { batch }, t.basicAuth);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      await settle(t.app);
      await drain();
    },
    async advance(ms) {
      clock.advance(ms);
      await drain();
    },
    async define(journey) {
      const res = await call('POST', '/v1/journeys', journey);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    },
    async steps(journey) {
      const res = await call('GET', `/v1/journeys/${journey}/stats`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body['steps'] as Record<string, Record<string, number>>;
    },
  };
}
