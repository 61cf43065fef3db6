import { GVL, TCModel, TCString } from '@iabtcf/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../../testing/temp-dirs.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp | undefined;
const dirs = new TempDirs();
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(() => dirs.removeAll());

/** An app whose analytics default is opt_in (events need consent to be stored). */
async function optInApp(env: Record<string, string> = {}): Promise<TestApp> {
  const file = join(dirs.make('attune-consent-'), 'policy.json');
  writeFileSync(file, JSON.stringify({ purposes: { analytics: 'opt_in' } }));
  t = await startTestApp({ ATTUNE_CONSENT_POLICY: file, ...env });
  return t;
}

async function send(app: TestApp, batch: unknown[], headers: Record<string, string> = {}) {
  const res = await app.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: app.basicAuth, ...headers },
    payload: { batch },
  });
  expect(res.statusCode).toBe(200);
}

async function stored(app: TestApp) {
  const res = await app.app.http.inject({
    method: 'GET',
    url: '/v1/events?limit=100',
    headers: { authorization: app.bearerAdmin },
  });
  return res.json<{
    events: {
      event: string | null;
      userId: string | null;
      anonymousId: string | null;
      message: Record<string, unknown>;
    }[];
  }>().events;
}

async function consentOf(app: TestApp, ref: string) {
  const res = await app.app.http.inject({
    method: 'GET',
    url: `/v1/profiles/${encodeURIComponent(ref)}/consent`,
    headers: { authorization: app.bearerAdmin },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{
    purposes: Record<string, { granted: boolean; source: string | null; default: boolean }>;
    country: string | null;
    history: { source: string; purposes: Record<string, boolean>; country: string | null }[];
  }>();
}

describe('the consent gate', () => {
  it('drops events without analytics consent (opt-in policy) and stores them with it', async () => {
    const app = await optInApp();
    await send(app, [
      { type: 'track', userId: 'ann', event: 'Product Viewed' },
      {
        type: 'track',
        userId: 'bob',
        event: 'Product Viewed',
        context: { consent: { categoryPreferences: { analytics: true, vendorX: false } } },
      },
      { type: 'track', userId: 'bob', event: 'Order Completed' },
    ]);
    expect((await stored(app)).map((e) => `${e.userId} ${e.event}`)).toEqual([
      'bob Product Viewed',
      'bob Order Completed',
    ]);
    const bob = await consentOf(app, 'user_id:bob');
    expect(bob.purposes['analytics']).toEqual({
      granted: true,
      source: 'context',
      at: expect.any(String),
      default: false,
    });
    expect(bob.purposes['marketing_email']).toMatchObject({ granted: false, default: true });
    expect(bob.history).toEqual([
      { at: expect.any(String), source: 'context', purposes: { analytics: true }, country: null },
    ]);
  });

  it('records categoryPreferences changes with history, only when they change', async () => {
    t = await startTestApp();
    const prefs = (p: Record<string, boolean>) => ({ consent: { categoryPreferences: p } });
    await send(t, [
      { type: 'page', anonymousId: 'a-1', context: prefs({ advertising: false }) },
      { type: 'page', anonymousId: 'a-1', context: prefs({ advertising: false }) },
      {
        type: 'page',
        anonymousId: 'a-1',
        context: prefs({ advertising: true, marketing_email: true }),
        timestamp: '2099-01-01T00:00:00Z',
      },
    ]);
    const state = await consentOf(t, 'anonymous_id:a-1');
    expect(state.history.map((h) => h.purposes)).toEqual([
      { advertising: false },
      { advertising: true, marketing_email: true },
    ]);
    expect(state.purposes['advertising']).toMatchObject({ granted: true, source: 'context' });
    expect(t.app.consent.allowsIdentifiers({ anonymousId: 'a-1' }, 'marketing_email')).toBe(true);
    expect(t.app.consent.allowsIdentifiers({ anonymousId: 'a-2' }, 'marketing_email')).toBe(false);

    // The same through POST /v1/import (JSONL) is recorded as an import.
    const line = { type: 'page', anonymousId: 'a-2', context: prefs({ marketing_sms: true }) };
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/v1/import',
      headers: { authorization: t.basicAuth, 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify(line)}\n`,
    });
    expect(res.statusCode).toBe(200);
    expect((await consentOf(t, 'anonymous_id:a-2')).history).toEqual([
      expect.objectContaining({ source: 'import', purposes: { marketing_sms: true } }),
    ]);
  });

  it('records a Consent Updated event even when it refuses analytics, and drops it', async () => {
    t = await startTestApp();
    await send(t, [
      {
        type: 'track',
        userId: 'cy',
        event: 'Consent Updated',
        properties: { categoryPreferences: { analytics: false, marketing_sms: true } },
      },
      { type: 'track', userId: 'cy', event: 'Product Viewed' },
      { type: 'track', userId: 'dee', event: 'Product Viewed' },
    ]);
    expect((await stored(t)).map((e) => e.userId)).toEqual(['dee']);
    const cy = await consentOf(t, 'user_id:cy');
    expect(cy.history).toEqual([
      expect.objectContaining({
        source: 'event',
        purposes: { analytics: false, marketing_sms: true },
      }),
    ]);
  });

  it('takes Sec-GPC: 1 and context.gpc as a refusal of advertising', async () => {
    t = await startTestApp();
    await send(t, [{ type: 'page', anonymousId: 'g-1' }], { 'sec-gpc': '1' });
    await send(t, [{ type: 'page', anonymousId: 'g-2', context: { gpc: true } }]);
    await send(t, [{ type: 'page', anonymousId: 'g-3' }]);
    for (const id of ['g-1', 'g-2']) {
      expect((await consentOf(t, `anonymous_id:${id}`)).purposes['advertising']).toMatchObject({
        granted: false,
        source: 'gpc',
      });
    }
    expect(t.app.consent.allowsIdentifiers({ anonymousId: 'g-3' }, 'advertising')).toBe(true);
    expect(await stored(t)).toHaveLength(3);
  });

  it('decodes a TCF v2 string into purposes', async () => {
    t = await startTestApp();
    const purposes: Record<number, object> = {};
    for (let id = 1; id <= 11; id++)
      purposes[id] = { id, name: `p${id}`, description: '', illustrations: [] };
    const gvl = new GVL({
      gvlSpecificationVersion: 3,
      vendorListVersion: 1,
      tcfPolicyVersion: 4,
      lastUpdated: '2026-01-01T00:00:00Z',
      purposes,
      specialPurposes: {},
      features: {},
      specialFeatures: {},
      vendors: {},
      stacks: {},
    } as never);
    const model = new TCModel(gvl);
    model.cmpId = 10;
    model.cmpVersion = 1;
    model.purposeConsents.set([1, 3, 4]); // storage + ad profile + ad selection
    const tcString = TCString.encode(model);
    await send(t, [
      { type: 'page', userId: 'eu-1', context: { consent: { tcfString: tcString } } },
      { type: 'page', userId: 'eu-2', context: { gdpr_consent: 'not a TCF string' } },
    ]);
    const eu = await consentOf(t, 'user_id:eu-1');
    expect(eu.history).toEqual([
      expect.objectContaining({
        source: 'tcf',
        purposes: { analytics: false, advertising: true, personalization: false },
      }),
    ]);
    // No analytics in the TCF string: the page is dropped; the broken string is ignored.
    expect((await stored(t)).map((e) => e.userId)).toEqual(['eu-2']);
  });

  it('applies the regional default of context.location.country', async () => {
    t = await startTestApp();
    await send(t, [
      {
        type: 'page',
        anonymousId: 'fr-1',
        context: { location: { country: 'fr' }, consent: { categoryPreferences: {} } },
      },
      { type: 'page', anonymousId: 'fr-1', context: { gpc: true, location: { country: 'FR' } } },
    ]);
    const fr = await consentOf(t, 'anonymous_id:fr-1');
    expect(fr.country).toBe('FR');
    expect(fr.purposes['personalization']).toMatchObject({ granted: false, default: true });
    expect(fr.purposes['analytics']).toMatchObject({ granted: true, default: true });
    expect(t.app.consent.allowsIdentifiers({ anonymousId: 'x' }, 'personalization', 'DE')).toBe(
      false,
    );
    expect(t.app.consent.allowsIdentifiers({ anonymousId: 'x' }, 'personalization', 'US')).toBe(
      true,
    );
  });

  it('in anonymize mode stores events without identifiers or PII', async () => {
    const app = await optInApp({ ATTUNE_CONSENT_WITHOUT_ANALYTICS: 'anonymize' });
    await send(app, [
      {
        type: 'track',
        userId: 'ann',
        anonymousId: 'dev-1',
        event: 'Order Completed',
        properties: { revenue: 12, email: 'ann@example.com', shipping: { name: 'Ann' } },
        context: {
          ip: '10.0.0.1',
          traits: { email: 'ann@example.com' },
          device: { id: 'phone-xyz', model: 'x' },
        },
      },
      { type: 'identify', userId: 'ann', traits: { email: 'ann@example.com', plan: 'pro' } },
      { type: 'alias', userId: 'ann', previousId: 'dev-1' },
    ]);
    const events = await stored(app);
    expect(events).toHaveLength(2);
    const text = JSON.stringify(events);
    for (const secret of ['ann', 'dev-1', '10.0.0.1', 'phone-xyz', 'Ann'])
      expect(text).not.toContain(secret);
    const [order, identify] = events;
    expect(order?.userId).toBeNull();
    expect(order?.message['properties']).toEqual({ revenue: 12, shipping: {} });
    expect(order?.message['context']).toEqual({ device: { model: 'x' } });
    expect(order?.anonymousId).not.toBe(identify?.anonymousId);
    expect(identify?.message['traits']).toBeUndefined();
    // The processor takes anonymized events without building profiles from them.
    await app.app.processor!.caughtUp(await app.app.eventLog.lastOffset());
    const profiles = await app.app.http.inject({
      method: 'GET',
      url: '/v1/profiles/user_id:ann',
      headers: { authorization: app.bearerAdmin },
    });
    expect(profiles.statusCode).toBe(404);
  });
});
