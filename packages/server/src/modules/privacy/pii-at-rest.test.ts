import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttuneApp } from '../../app.js';
import { keyringFileName } from '../../platform/keyring-source.js';
import { startTestApp, type TestApp } from '../../testing/test-app.fixture.js';

const email = 'Grace.Hopper@Example.com';
const phone = '(415) 555-0132';
const secrets = {
  email,
  'email, normalized': email.toLowerCase(),
  phone,
  'phone, E.164': '+14155550132',
  'phone digits': '4155550132',
  name: 'Grace Hopper',
  street: '12 Navy Yard Rd',
  ip: '198.51.100.23',
  'user id (an email)': 'grace@navy.example',
};

let t: TestApp;

/** Until the processor has seen everything, including the merge events it caused. */
async function settle(app: AttuneApp): Promise<void> {
  for (;;) {
    const last = await app.eventLog.lastOffset();
    await app.processor!.caughtUp(last);
    await app.mergeEvents.idle();
    if ((await app.eventLog.lastOffset()) === last) return;
  }
}

const get = (url: string) =>
  t.app.http.inject({ method: 'GET', url, headers: { authorization: t.bearerAdmin } });

beforeAll(async () => {
  t = await startTestApp();
  const batch = [
    { type: 'page', anonymousId: 'device-a', name: 'Home', context: { ip: secrets.ip } },
    {
      type: 'identify',
      anonymousId: 'device-b',
      traits: {
        email,
        phone,
        name: secrets.name,
        address: { street: secrets.street, city: 'Arlington', postalCode: '22201' },
        plan: 'pro',
      },
      context: { ip: secrets.ip },
    },
    {
      type: 'track',
      anonymousId: 'device-a',
      event: 'Newsletter Signup',
      context: { traits: { email } },
      properties: { email, list: 'weekly' },
    },
    { type: 'alias', userId: secrets['user id (an email)'], previousId: 'device-b' },
    { type: 'identify', userId: secrets['user id (an email)'], anonymousId: 'device-a' },
  ];
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: t.basicAuth },
    payload: { batch },
  });
  expect(res.statusCode).toBe(200);
  await settle(t.app);
});
afterAll(async () => t.close());

describe('PII at rest', () => {
  it('reads back in the clear through the API', async () => {
    const res = await get(`/v1/profiles/email:${encodeURIComponent(email)}`);
    expect(res.statusCode).toBe(200);
    const profile = res.json<{
      traits: Record<string, unknown>;
      identifiers: { type: string; value: string }[];
    }>();
    expect(profile.traits).toMatchObject({
      email,
      phone,
      name: secrets.name,
      address: { street: secrets.street, postalCode: '22201' },
    });
    expect(profile.identifiers).toEqual(
      expect.arrayContaining([
        { type: 'email', value: secrets['email, normalized'] },
        { type: 'phone', value: secrets['phone, E.164'] },
        { type: 'user_id', value: secrets['user id (an email)'] },
        { type: 'anonymous_id', value: 'device-a' },
        { type: 'anonymous_id', value: 'device-b' },
      ]),
    );
    const byUser = await get(
      `/v1/events?userId=${encodeURIComponent(secrets['user id (an email)'])}`,
    );
    const events = byUser.json<{ events: { userId: string; type: string }[] }>().events;
    expect(events.map((e) => [e.type, e.userId])).toEqual([
      ['alias', secrets['user id (an email)']],
      ['identify', secrets['user id (an email)']],
    ]);
    const all = await get('/v1/events?limit=100');
    const messages = all.json<{ events: { message: Record<string, unknown> }[] }>().events;
    expect(messages[1]?.message).toMatchObject({
      anonymousId: 'device-b',
      traits: { email, phone },
      context: { ip: secrets.ip },
    });
    expect(messages[2]?.message).toMatchObject({ properties: { email } });
    const merged = messages.find((m) => m.message['event'] === 'Identity Merged');
    expect(JSON.stringify(merged?.message)).toContain('device-');
  });

  it('leaves no PII in the bytes of any database file', async () => {
    await t.app.close();
    const files = readdirSync(t.dataDir).filter((name) => name !== keyringFileName);
    expect(files).toEqual(expect.arrayContaining(['attune.db', 'state.db']));
    for (const file of files) {
      const bytes = readFileSync(join(t.dataDir, file));
      for (const [what, value] of Object.entries(secrets)) {
        expect(bytes.includes(Buffer.from(value)), `${what} in ${file}`).toBe(false);
      }
    }
  });
});
