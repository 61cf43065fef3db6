import Database from 'better-sqlite3';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CsvMapping } from '@attune/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { startTestApp, testWriteKey, type TestApp } from '../../testing/test-app.fixture.js';
import { HttpIngestSink } from './ingest-sink.js';
import { runImport, type ImportProgress } from './import-runner.js';

const fixtures = fileURLToPath(
  new URL('../../../../../e2e/fixtures/online-retail/', import.meta.url),
);
const expected = JSON.parse(readFileSync(join(fixtures, 'rfm_expected.json'), 'utf8')) as {
  distinctCustomers: number;
  customers: Record<string, { frequency: number; monetary: number; lastOrder: string }>;
};
const mapping = JSON.parse(readFileSync(join(fixtures, 'mapping.json'), 'utf8')) as CsvMapping;
const now = Date.UTC(2010, 11, 21);
let t: TestApp;
let url: string;
const errorsFile = join(tmpdir(), `attune-import-errors-${process.pid}.jsonl`);

beforeAll(async () => {
  t = await startTestApp({}, { clock: new ManualClock(now) });
  url = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  rmSync(errorsFile, { force: true });
});

async function importRetail(): Promise<ImportProgress> {
  return runImport(
    {
      file: join(fixtures, 'online_retail_subset.csv'),
      format: 'csv',
      mapping,
      encoding: 'latin1',
      errorsFile,
      batchSize: 500,
    },
    new HttpIngestSink(url, testWriteKey),
    () => undefined,
  );
}

describe('importing the Online Retail transactions', () => {
  it('gives one profile per CustomerID with the right RFM, and is idempotent', async () => {
    const first = await importRetail();
    expect(first.records).toBe(39_529);
    // Invoices without a CustomerID cannot be tied to a person: they go to the errors file.
    const errors = readFileSync(errorsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(errors.length).toBe(first.rejected);
    expect(errors.every((e) => e.reason.startsWith('no user id'))).toBe(true);
    const logged = await t.app.eventLog.lastOffset();
    expect(logged).toBe(first.sent);

    await t.app.processor!.caughtUp(logged);
    const profiles = await t.app.http.inject({
      method: 'GET',
      url: '/v1/profiles?trait.country=United%20Kingdom&limit=200',
      headers: { authorization: t.bearerAdmin },
    });
    expect(profiles.statusCode).toBe(200);
    const state = new Database(t.app.files.state, { readonly: true });
    expect(state.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(
      expected.distinctCustomers,
    );
    state.close();

    for (const [customer, want] of Object.entries(expected.customers)) {
      const res = await t.app.http.inject({
        method: 'GET',
        url: `/v1/profiles/user_id:${customer}`,
        headers: { authorization: t.bearerAdmin },
      });
      const rfm = res.json<{
        computed: { rfm: { frequency: number; monetary: number; recencyDays: number } };
      }>().computed.rfm;
      expect(rfm.frequency, customer).toBe(want.frequency);
      expect(rfm.monetary, customer).toBeCloseTo(want.monetary, 2);
      expect(rfm.recencyDays, customer).toBe(
        Math.floor((now - Date.parse(want.lastOrder)) / 86_400_000),
      );
    }

    const again = await importRetail();
    expect(again.sent).toBe(first.sent);
    expect(await t.app.eventLog.lastOffset()).toBe(logged);
  }, 120_000);
});
