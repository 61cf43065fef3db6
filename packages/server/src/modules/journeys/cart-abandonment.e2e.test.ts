import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type ReceivedEmail, type SmtpSink } from '../../testing/smtp-sink.js';
import { startJourneyTestApp, type JourneyTestApp } from './journey-test.fixture.js';

// The ready-made cart-abandonment journey against a real SMTP server, time moved by hand.
const minute = 60_000;
let j: JourneyTestApp;
let sink: SmtpSink;

const call = (method: string, url: string, payload?: object) => j.call(method, url, payload);
const send = (batch: object[]) => j.send(batch);
const advance = (ms: number) => j.advance(ms);

const mailTo = (address: string): ReceivedEmail[] =>
  sink.messages.filter((m) => m.to.includes(address));

async function shopper(name: string, options: { consent: boolean; timezone?: string }) {
  await send([
    {
      type: 'identify',
      userId: name,
      traits: {
        email: `${name}@example.com`,
        firstName: name[0]!.toUpperCase() + name.slice(1),
        ...(options.timezone !== undefined && { timezone: options.timezone }),
      },
    },
  ]);
  if (options.consent) {
    const res = await call('POST', '/v1/consent', {
      userId: name,
      purposes: { marketing_email: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

const addToCart = (userId: string) =>
  send([
    {
      type: 'track',
      userId,
      event: 'Product Added',
      properties: {
        products: [
          { name: 'Trail shoes', price: 89.9, quantity: 1 },
          { name: 'Wool socks', price: 12.5, quantity: 2 },
        ],
      },
    },
  ]);

async function stats() {
  const res = await call('GET', '/v1/journeys/cart-abandonment/stats');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    totals: Record<string, number>;
    steps: Record<string, Record<string, number>>;
  };
}

beforeAll(async () => {
  sink = await startSmtpSink();
  j = await startJourneyTestApp('2026-11-24T10:00:00Z', {
    ATTUNE_SMTP_HOST: sink.host,
    ATTUNE_SMTP_PORT: String(sink.port),
    ATTUNE_MAIL_FROM: 'Shop <shop@example.com>',
    ATTUNE_PUBLIC_URL: 'https://shop.example.com/attune',
  });
  const template = await call('GET', '/v1/journeys/templates/cart-abandonment?waitMinutes=60');
  expect(template.status).toBe(200);
  const created = await call('POST', '/v1/journeys', template.body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});
afterAll(async () => {
  await j?.t.close();
  await sink?.close();
});

describe('the cart-abandonment journey', () => {
  it('sends exactly one email with the cart, to the shopper, once the wait is over', async () => {
    await shopper('ann', { consent: true });
    await addToCart('ann');
    expect((await stats()).steps['wait-for-order']!['waiting']).toBe(1);
    await advance(59 * minute);
    expect(mailTo('ann@example.com')).toHaveLength(0);
    await advance(2 * minute);
    const [mail] = await sink.waitFor(1);
    expect(mailTo('ann@example.com')).toHaveLength(1);
    expect(mail!.from).toBe('shop@example.com');
    expect(mail!.subject).toBe('Ann, your cart is waiting');
    expect(mail!.html).toContain('Trail shoes × 1 — 89.9');
    expect(mail!.html).toContain('Wool socks × 2 — 12.5');
    expect(mail!.text).toContain('- Trail shoes x 1: 89.9');
    expect(mail!.headers['list-unsubscribe']).toMatch(
      /^<https:\/\/shop\.example\.com\/attune\/v1\/journeys\/unsubscribe\?token=/,
    );
    // Time goes on, the journey runs again: still one email.
    await advance(60 * minute);
    await addToCart('ann'); // re-entry only after 7 days
    await advance(3 * 60 * minute);
    expect(mailTo('ann@example.com')).toHaveLength(1);
    const s = await stats();
    expect(s.steps['reminder']).toMatchObject({ entered: 1, sent: 1, failed: 0 });
    expect(s.totals).toMatchObject({ entered: 1, completed: 1, active: 0 });
  });

  it('counts a purchase after the email as a conversion', async () => {
    await send([
      { type: 'track', userId: 'ann', event: 'Order Completed', properties: { total: 102 } },
    ]);
    const s = await stats();
    expect(s.totals['converted']).toBe(1);
    expect(s.steps['done']!['converted']).toBe(1);
  });

  it('sends nothing to a shopper who buys during the wait', async () => {
    await shopper('bob', { consent: true });
    await addToCart('bob');
    await advance(20 * minute);
    await send([
      { type: 'track', userId: 'bob', event: 'Order Completed', properties: { total: 102 } },
    ]);
    await advance(3 * 60 * minute);
    expect(mailTo('bob@example.com')).toHaveLength(0);
    const s = await stats();
    expect(s.steps['wait-for-order']!['converted']).toBe(1);
    expect(s.totals['converted']).toBe(2);
  });

  it('sends nothing without marketing consent, and counts it suppressed', async () => {
    await shopper('carl', { consent: false });
    await addToCart('carl');
    await advance(61 * minute);
    expect(mailTo('carl@example.com')).toHaveLength(0);
    expect((await stats()).steps['reminder']).toMatchObject({ suppressedConsent: 1, sent: 1 });
  });

  it('holds a reminder that falls in quiet hours until they end, in the shopper’s time zone', async () => {
    // The template's quiet hours are 21:00–08:00; entering at 20:30, the wait ends in them.
    j.clock.set(Date.parse('2026-11-25T01:30:00Z')); // 20:30 in New York (UTC−5)
    await shopper('dora', { consent: true, timezone: 'America/New_York' });
    await addToCart('dora');
    await advance(61 * minute); // 21:31 local: quiet
    expect(mailTo('dora@example.com')).toHaveLength(0);
    expect((await stats()).steps['reminder']!['waiting']).toBe(1);
    j.clock.set(Date.parse('2026-11-25T12:59:00Z')); // 07:59 local
    await advance(0);
    expect(mailTo('dora@example.com')).toHaveLength(0);
    await advance(minute); // 08:00 local
    await sink.waitFor(2);
    expect(mailTo('dora@example.com')).toHaveLength(1);
  });

  it('records an unsubscribe from the email’s link as a withdrawal of consent', async () => {
    const [mail] = mailTo('ann@example.com');
    const link = /<([^>]+)>/.exec(mail!.headers['list-unsubscribe']!)![1]!;
    const path = link.replace('https://shop.example.com/attune', '');
    const res = await j.t.app.http.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('unsubscribed from marketing_email');
    const consent = await call('GET', '/v1/profiles/user_id:ann/consent');
    expect(consent.body).toMatchObject({ purposes: { marketing_email: { granted: false } } });
    const forged = await j.t.app.http.inject({ method: 'GET', url: `${path.slice(0, -2)}xx` });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ code: 'invalid_request', field: '/token' });
  });
});
