import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('operations endpoints', () => {
  it('answers liveness and readiness', async () => {
    expect((await t.app.http.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.http.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('exports Prometheus metrics that move with ingestion', async () => {
    const send = (payload: string | object) =>
      t.app.http.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: t.basicAuth },
        payload,
      });
    await send({
      batch: [
        { type: 'track', userId: 'u', event: 'A', messageId: 'metric-1' },
        { type: 'track', userId: 'u', event: 'B' },
      ],
    });
    await send({
      batch: [
        { type: 'track', userId: 'u', event: 'A', messageId: 'metric-1' },
        { type: 'track', userId: 'u' },
      ],
    });
    await send('{oops');
    await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
    const res = await t.app.http.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/^attune_events_accepted_total\{source="default"\} 2$/m);
    expect(text).toMatch(/^attune_events_duplicate_total\{source="default"\} 1$/m);
    expect(text).toMatch(/^attune_events_rejected_total\{code="missing_field"\} 1$/m);
    expect(text).toMatch(/^attune_events_rejected_total\{code="invalid_json"\} 1$/m);
    expect(text).toMatch(/^attune_ingest_batch_size_count 2$/m);
    expect(text).toMatch(/^attune_ingest_request_duration_seconds_count\{endpoint="batch"\} 3$/m);
    expect(text).toMatch(/^attune_event_log_last_offset 2$/m);
    expect(text).toMatch(/^attune_processor_lag_events\{processor="main"\} 0$/m);
    expect(text).toMatch(/^attune_event_log_bytes \d+$/m);
    expect(text).toMatch(/^attune_event_log_commits \d+$/m);
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const res = await t.app.http.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/track',
        '/v1/batch',
        '/v1/events',
        '/v1/keys',
        '/v1/rfm',
        '/v1/rfm/recompute',
        '/healthz',
        '/metrics',
      ]),
    );
    expect(Object.keys(doc.paths)).not.toContain('/v1/t');
    const ui = await t.app.http.inject('/docs');
    expect(ui.statusCode).toBeLessThan(400);
  });

  it('answers unknown routes with a problem', async () => {
    const res = await t.app.http.inject('/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found' });
  });
});
