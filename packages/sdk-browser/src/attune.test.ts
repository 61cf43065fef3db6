import { beforeEach, describe, expect, it } from 'vitest';
import { Attune } from './attune.js';
import { reply, TestEnv } from './env.fixture.js';
import { version } from './version.js';

let env: TestEnv;
let attune: Attune;

beforeEach(() => {
  env = new TestEnv();
  attune = new Attune(env).load('wk_test', { host: 'https://cdp.example/' });
});

// A call's promise waits for the server or the fake clock, so the tests do not await it.

/** Sends what is queued and returns the messages the server got. */
async function sent() {
  await attune.flush();
  return env.sentMessages();
}

describe('Attune messages', () => {
  it('sends Segment spec messages to {host}/v1/batch', async () => {
    void attune.track('Product Viewed', { sku: 'A-1' });
    const [message] = await sent();
    expect(env.requests[0]!.url).toBe('https://cdp.example/v1/batch');
    expect(message).toEqual({
      type: 'track',
      event: 'Product Viewed',
      properties: { sku: 'A-1' },
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      timestamp: '2026-11-23T10:00:00.000Z',
      anonymousId: attune.user().anonymousId(),
      context: {
        library: { name: 'attune-sdk-browser', version },
        page: env.currentPage,
        userAgent: env.userAgent,
        locale: 'de-DE',
        timezone: 'Europe/Berlin',
        campaign: { name: 'winter', source: 'news' },
      },
    });
  });

  it('resolves a call once the server has the message, and calls its callback', async () => {
    const calls: unknown[] = [];
    const delivery = attune.track('Clicked', (result) => calls.push(result));
    await env.advance(200);
    const result = await delivery;
    expect(result.delivered).toBe(true);
    expect(result.event).toMatchObject({ event: 'Clicked' });
    expect(calls).toEqual([result]);
  });

  it('resolves after callbackTimeout when the server is unreachable, keeping the message', async () => {
    env.responder = () => Promise.reject(new TypeError('offline'));
    const delivery = attune.track('Clicked');
    await env.advance(300);
    expect((await delivery).delivered).toBe(false);
    expect(env.storage.get('attune:queue:wk_test')).toContain('Clicked');
  });

  it('takes analytics.js options: context, timestamp, anonymousId, integrations, messageId', async () => {
    void attune.track(
      'Signed Up',
      { plan: 'pro' },
      {
        context: { page: { title: 'Sign up' }, ip: '0.0.0.0' },
        timestamp: new Date('2026-01-01T00:00:00Z'),
        anonymousId: 'given-anon',
        integrations: { All: false },
        messageId: 'my-id',
      },
    );
    const [message] = await sent();
    expect(message).toMatchObject({
      messageId: 'my-id',
      timestamp: '2026-01-01T00:00:00.000Z',
      anonymousId: 'given-anon',
      integrations: { All: false },
      context: { page: { title: 'Sign up', path: '/products' }, ip: '0.0.0.0' },
    });
  });

  it('identify keeps the user and merged traits, and later messages carry the userId', async () => {
    void attune.identify('ann', { plan: 'pro' });
    void attune.identify({ email: 'ann@example.com' });
    void attune.track('Clicked');
    const messages = await sent();
    expect(messages.map((m) => [m['type'], m['userId'], m['traits']])).toEqual([
      ['identify', 'ann', { plan: 'pro' }],
      ['identify', 'ann', { plan: 'pro', email: 'ann@example.com' }],
      ['track', 'ann', undefined],
    ]);
    expect(attune.user().id()).toBe('ann');
    expect(attune.user().traits()).toEqual({ plan: 'pro', email: 'ann@example.com' });
  });

  it('page takes (category, name, properties) like analytics.js and adds the page fields', async () => {
    void attune.page();
    void attune.page('Pricing');
    void attune.page('Docs', 'Install', { section: 'sdk' });
    void attune.page({ custom: true });
    const messages = await sent();
    expect(messages.map((m) => [m['name'], m['category']])).toEqual([
      [undefined, undefined],
      ['Pricing', undefined],
      ['Install', 'Docs'],
      [undefined, undefined],
    ]);
    expect(messages[2]!['properties']).toEqual({
      ...env.currentPage,
      name: 'Install',
      category: 'Docs',
      section: 'sdk',
    });
    expect(messages[3]!['properties']).toMatchObject({ path: '/products', custom: true });
  });

  it('screen takes (category, name, properties) like page, without the page fields', async () => {
    void attune.screen('Checkout');
    void attune.screen('Shop', 'Cart', { items: 2 });
    const messages = await sent();
    expect(messages[0]).toMatchObject({ type: 'screen', name: 'Checkout' });
    expect(messages[0]!['properties']).toEqual({ name: 'Checkout' });
    expect(messages[1]).toMatchObject({ type: 'screen', name: 'Cart', category: 'Shop' });
    expect(messages[1]!['properties']).toEqual({ name: 'Cart', category: 'Shop', items: 2 });
  });

  it('on calls listeners with each message of their type; a throwing one harms nothing', async () => {
    const tracked: string[] = [];
    const stop = attune.on('track', (m) => tracked.push(String(m['event'])));
    attune.on('track', () => {
      throw new Error('listener bug');
    });
    const identified: unknown[] = [];
    attune.on('identify', (m) => identified.push(m['userId']));
    void attune.track('One');
    void attune.identify('ann');
    stop();
    void attune.track('Two');
    const messages = await sent();
    expect(tracked).toEqual(['One']);
    expect(identified).toEqual(['ann']);
    expect(messages.map((m) => m['event'] ?? m['type'])).toEqual(['One', 'identify', 'Two']);
    expect(env.warnings.some((w) => w.includes('a listener threw'))).toBe(true);
  });

  it('group and alias', async () => {
    expect(attune.group().id()).toBeNull();
    void attune.group('acme', { name: 'Acme' });
    void attune.alias('ann');
    void attune.alias('bob', 'ann');
    void attune.group('acme', { plan: 'pro' });
    const messages = await sent();
    expect(messages[0]).toMatchObject({ type: 'group', groupId: 'acme', traits: { name: 'Acme' } });
    // The group is kept, and its traits merge, as analytics.js does.
    expect(messages[3]).toMatchObject({ traits: { name: 'Acme', plan: 'pro' } });
    expect([attune.group().id(), attune.group().traits()]).toEqual([
      'acme',
      { name: 'Acme', plan: 'pro' },
    ]);
    expect(messages[1]).toMatchObject({
      type: 'alias',
      userId: 'ann',
      previousId: attune.user().anonymousId(),
    });
    expect(messages[2]).toMatchObject({ type: 'alias', userId: 'bob', previousId: 'ann' });
  });

  it('reset starts a new anonymous id without the user', async () => {
    void attune.identify('ann');
    const before = attune.user().anonymousId();
    attune.reset();
    expect(attune.user().anonymousId()).not.toBe(before);
    expect(attune.user().id()).toBeNull();
    void attune.track('After reset');
    const last = (await sent()).pop()!;
    expect(last['userId']).toBeUndefined();
    expect(last['anonymousId']).toBe(attune.user().anonymousId());
  });

  it('holds calls made before load() and sends them once loaded', async () => {
    const early = new Attune(env);
    const readyCalls: string[] = [];
    void early.ready(() => readyCalls.push('ready'));
    const delivery = early.track('Early');
    expect(readyCalls).toEqual([]);
    early.load('wk_early', { host: 'https://cdp.example' });
    expect(readyCalls).toEqual(['ready']);
    await env.advance(200);
    expect((await delivery).delivered).toBe(true);
    expect(env.requests[0]!.json).toMatchObject({ writeKey: 'wk_early' });
  });

  it('sends what an earlier page left queued as soon as it loads', async () => {
    env.responder = () => Promise.reject(new TypeError('offline'));
    void attune.track('Left behind');
    await env.advance(200);
    env.responder = () => reply(200);
    new Attune(env).load('wk_test', { host: 'https://cdp.example' });
    await env.advance(0);
    expect(env.sentMessages().filter((m) => m['event'] === 'Left behind')).toHaveLength(2);
    expect(env.storage.get('attune:queue:wk_test')).toBeNull();
  });

  it('defaults the host to the page origin and adds a scheme when missing', async () => {
    const sameOrigin = new Attune(env).load('wk_a');
    void sameOrigin.track('x');
    await sameOrigin.flush();
    const bare = new Attune(env).load('wk_b', { host: 'cdp.example:8443' });
    void bare.track('y');
    await bare.flush();
    expect(env.requests.map((r) => r.url)).toEqual([
      'https://shop.example/v1/batch',
      'https://cdp.example:8443/v1/batch',
    ]);
  });

  it('cookieDomain scopes the id cookies, rewriting those written before load', () => {
    const page = new Attune(env);
    const id = page.user().anonymousId();
    env.cookies.map.clear(); // only a rewrite after load puts it back
    page.load('wk_test', { cookieDomain: 'example.com' });
    expect(env.cookies.domain).toBe('example.com');
    expect(env.cookies.get('ajs_anonymous_id')).toBe(id);
  });

  it('keeps the defaults for options given as undefined', async () => {
    const loaded = new Attune(env).load('wk_u', {
      host: 'https://cdp.example',
      flushInterval: undefined,
    });
    void loaded.track('x');
    await env.advance(199);
    expect(env.requests).toHaveLength(0);
    await env.advance(1);
    expect(env.requests).toHaveLength(1);
  });

  it('sends the queue by beacon when the page is hidden', async () => {
    void attune.track('Leaving');
    env.emit('hide');
    expect(env.beacons).toHaveLength(1);
    expect(env.beacons[0]!.url).toBe('https://cdp.example/v1/batch');
    expect(JSON.parse(env.beacons[0]!.body)).toMatchObject({
      writeKey: 'wk_test',
      batch: [{ event: 'Leaving' }],
    });
  });
});

describe('consent', () => {
  it('stores the choice, sends Consent Updated, and every later message carries it', async () => {
    void attune.consent.set({ purposes: { analytics: true, marketing_email: false } });
    void attune.track('Clicked');
    const [update, later] = await sent();
    const categoryPreferences = { analytics: true, marketing_email: false };
    expect(update).toMatchObject({
      event: 'Consent Updated',
      properties: { categoryPreferences },
      context: { consent: { categoryPreferences } },
    });
    expect(later).toMatchObject({ context: { consent: { categoryPreferences } } });
    expect(attune.consent.get()).toEqual({ purposes: categoryPreferences });
  });

  it('marks every message with gpc when the browser sends Global Privacy Control', async () => {
    env.gpc = true;
    void attune.track('Clicked');
    const [message] = await sent();
    expect((message!['context'] as Record<string, unknown>)['gpc']).toBe(true);
  });
});

describe('decisions', () => {
  const answer = {
    decisions: [
      {
        placement: 'home_hero',
        variantId: 'winter',
        payload: { image: '/w.jpg' },
        rendered: null,
        ruleId: 'winter',
        reason: 'rule',
        decisionId: 'd-1',
        fallback: false,
      },
    ],
  };

  it('decide posts the visitor, placements and page context, and answers by placement', async () => {
    env.responder = () => reply(200, answer);
    void attune.identify('ann');
    const decisions = await attune.decide(['home_hero'], { campaign: { name: 'summer' } });
    expect(decisions).toEqual({ home_hero: answer.decisions[0] });
    const request = env.requests.find((r) => r.url.endsWith('/v1/decide'))!;
    expect(request.url).toBe('https://cdp.example/v1/decide');
    expect(request.headers).toEqual({ 'content-type': 'text/plain' });
    expect(request.json).toEqual({
      writeKey: 'wk_test',
      anonymousId: attune.user().anonymousId(),
      userId: 'ann',
      placements: ['home_hero'],
      context: {
        page: env.currentPage,
        device: { type: 'desktop' },
        locale: 'de-DE',
        campaign: { name: 'summer', source: 'news' },
      },
    });
  });

  it('decide resolves {} when the server refuses or cannot be reached', async () => {
    env.responder = () => reply(400, { code: 'unknown_placement' });
    expect(await attune.decide(['nope'])).toEqual({});
    env.responder = () => Promise.reject(new TypeError('Failed to fetch'));
    expect(await attune.decide(['home_hero'])).toEqual({});
    expect(env.warnings.filter((w) => w.includes('decide failed'))).toHaveLength(2);
  });

  it('decide resolves {} after decideTimeout', async () => {
    env.responder = () => new Promise(() => undefined);
    const pending = attune.decide(['home_hero']);
    await env.advance(1500);
    expect(await pending).toEqual({});
  });

  it('onDecision listens over the live socket with the visitor ids in the URL', async () => {
    void attune.identify('ann');
    const got: string[] = [];
    const off = attune.onDecision('home_hero', (d) => got.push(d.variantId));
    await env.advance(0);
    const socket = env.sockets[0]!;
    const url = new URL(socket.url);
    expect(url.origin + url.pathname).toBe('wss://cdp.example/v1/live');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      writeKey: 'wk_test',
      anonymousId: attune.user().anonymousId(),
      userId: 'ann',
    });
    socket.open();
    socket.push({ type: 'decisions', ...answer });
    expect(got).toEqual(['winter']);
    // A new user: the socket reconnects with the new ids.
    void attune.identify('bob');
    expect(env.sockets).toHaveLength(2);
    expect(new URL(env.sockets[1]!.url).searchParams.get('userId')).toBe('bob');
    off();
    expect(env.sockets[1]!.closedWith).toBe(1000);
  });

  it('decisionClicked tracks Decision Clicked with the decision', async () => {
    void attune.decisionClicked(answer.decisions[0]!, { cta: 'hero' });
    const [message] = await sent();
    expect(message).toMatchObject({
      event: 'Decision Clicked',
      properties: {
        decisionId: 'd-1',
        placement: 'home_hero',
        variantId: 'winter',
        ruleId: 'winter',
        cta: 'hero',
      },
    });
  });
});
