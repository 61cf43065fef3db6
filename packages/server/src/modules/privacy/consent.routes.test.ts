import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const postConsent = (payload: unknown, authorization = t.bearerAdmin) =>
  t.app.http.inject({
    method: 'POST',
    url: '/v1/consent',
    headers: { authorization },
    payload: payload as object,
  });

const get = (url: string) =>
  t.app.http.inject({ method: 'GET', url, headers: { authorization: t.bearerAdmin } });

async function ingest(batch: unknown[]) {
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: { batch },
  });
  expect(res.statusCode).toBe(200);
  await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
}

describe('POST /v1/consent', () => {
  it('records choices and answers with the state of every purpose', async () => {
    const res = await postConsent({
      userId: 'api-1',
      purposes: { marketing_email: true, advertising: false },
      country: 'de',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ purposes: Record<string, unknown>; country: string }>();
    expect(body.country).toBe('DE');
    expect(body.purposes['marketing_email']).toMatchObject({
      granted: true,
      source: 'api',
      default: false,
    });
    // DE is in the EEA region: personalization is opt-in there.
    expect(body.purposes['personalization']).toEqual({
      granted: false,
      source: null,
      at: null,
      default: true,
    });
    expect(t.app.consent.allowsIdentifiers({ userId: ' api-1 ' }, 'marketing_email')).toBe(true);
  });

  it('refuses an unknown purpose with its field', async () => {
    const res = await postConsent({ userId: 'api-1', purposes: { telepathy: true } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'unknown_purpose', field: '/purposes/telepathy' });
  });

  it('refuses a request without a usable id, a bad country or a non-boolean choice', async () => {
    const none = await postConsent({ purposes: { analytics: true } });
    expect(none.json()).toMatchObject({ status: 400, code: 'missing_identity' });
    const junk = await postConsent({ anonymousId: 'anonymous', purposes: { analytics: true } });
    expect(junk.json()).toMatchObject({ code: 'missing_identity', field: '/anonymousId' });
    const country = await postConsent({ userId: 'x', purposes: {}, country: 'Germany' });
    expect(country.json()).toMatchObject({ code: 'invalid_request', field: '/country' });
    const value = await postConsent({ userId: 'x', purposes: { analytics: 'yes' } });
    expect(value.json()).toMatchObject({ code: 'invalid_request' });
    const when = await postConsent({ userId: 'x', purposes: {}, timestamp: 'yesterday' });
    expect(when.statusCode).toBe(400);
    expect(when.json()).toMatchObject({ field: '/timestamp' });
    const source = await postConsent({ userId: 'x', purposes: {}, source: 'gpc' });
    expect(source.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('needs a secret key', async () => {
    const res = await postConsent({ userId: 'x', purposes: {} }, t.basicAuth);
    expect(res.statusCode).toBe(401);
  });
});

describe('consent of a profile', () => {
  it('combines the consent of merged identifiers: anonymousId first, userId linked later', async () => {
    await ingest([
      {
        type: 'page',
        anonymousId: 'm-anon',
        context: { consent: { categoryPreferences: { marketing_email: true } } },
        timestamp: '2026-11-01T10:00:00Z',
      },
    ]);
    const before = await postConsent({ userId: 'm-user', purposes: { marketing_sms: true } });
    expect(before.statusCode).toBe(200);
    await ingest([{ type: 'identify', userId: 'm-user', traits: { plan: 'pro' } }]);
    const userProfile = (await get('/v1/profiles/user_id:m-user')).json<{ id: string }>().id;
    expect(await t.app.consent.allows(userProfile, 'marketing_email')).toBe(false);

    await ingest([{ type: 'identify', userId: 'm-user', anonymousId: 'm-anon' }]);
    const profileId = (await get('/v1/profiles/user_id:m-user')).json<{ id: string }>().id;
    expect(await t.app.consent.allows(profileId, 'marketing_email')).toBe(true);
    expect(await t.app.consent.allows(profileId, 'marketing_sms')).toBe(true);
    expect(await t.app.consent.allows(profileId, 'advertising')).toBe(true);
    expect(await t.app.consent.allows('p_nobody', 'analytics')).toBe(true);

    const res = await get(`/v1/profiles/${profileId}/consent`);
    expect(res.statusCode).toBe(200);
    const view = res.json<{
      purposes: Record<string, { granted: boolean; source: string | null }>;
      history: { source: string; purposes: Record<string, boolean> }[];
    }>();
    expect(view.purposes['marketing_email']).toMatchObject({ granted: true, source: 'context' });
    expect(view.history.map((h) => [h.source, h.purposes])).toEqual([
      ['context', { marketing_email: true }],
      ['api', { marketing_sms: true }],
    ]);
    expect(t.app.consent.historyOf(profileId)).toHaveLength(2);
  });

  it('answers 404 for an unknown profile and 400 for a junk identifier', async () => {
    expect((await get('/v1/profiles/p_none/consent')).json()).toMatchObject({
      code: 'not_found',
    });
    expect((await get('/v1/profiles/email:nobody@example.com/consent')).statusCode).toBe(404);
    expect((await get('/v1/profiles/email:not-an-email/consent')).json()).toMatchObject({
      code: 'invalid_request',
    });
  });

  it('forgets the consent of erased identifiers', async () => {
    await postConsent({
      userId: 'gone',
      anonymousId: 'gone-dev',
      purposes: { advertising: false },
    });
    const pseudonyms = t.app.consent.pseudonymsOfIdentifiers([
      { type: 'user_id', value: 'gone' },
      { type: 'anonymous_id', value: 'gone-dev' },
      { type: 'email', value: 'gone@example.com' },
    ]);
    expect(pseudonyms).toEqual(
      t.app.consent.pseudonymsOf({ userId: 'gone', anonymousId: 'gone-dev' }),
    );
    expect(pseudonyms).toHaveLength(2);
    expect(pseudonyms.every((p) => p.startsWith('ps_'))).toBe(true);
    expect(t.app.consent.forgetIdentifiers(pseudonyms)).toBe(2);
    expect(t.app.consent.allowsIdentifiers({ userId: 'gone' }, 'advertising')).toBe(true);
    const view = (await get('/v1/profiles/user_id:gone/consent')).json<{ history: unknown[] }>();
    expect(view.history).toEqual([]);
  });
});

describe('GET /v1/consent/policy', () => {
  it('shows the policy in force', async () => {
    const res = await get('/v1/consent/policy');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      purposes: { analytics: 'opt_out', marketing_email: 'opt_in' },
      gpcDenies: ['advertising'],
      tcfPurposes: { analytics: [1, 7, 8, 9] },
      withoutAnalytics: 'drop',
      regions: [expect.objectContaining({ name: 'eea_uk_ch' })],
    });
  });
});
