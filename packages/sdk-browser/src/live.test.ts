import { beforeEach, describe, expect, it } from 'vitest';
import type { Decision } from './decide.js';
import { settle, TestEnv } from './env.fixture.js';
import { Live } from './live.js';

let env: TestEnv;
let ids: { anonymousId: string; userId?: string };
let live: Live;
let page: string;

const decision = (placement: string, variantId: string): Decision => ({
  placement,
  variantId,
  payload: null,
  rendered: null,
  ruleId: variantId === 'default' ? null : variantId,
  reason: variantId === 'default' ? 'no_rule' : 'rule',
  decisionId: `d-${placement}-${variantId}`,
  fallback: variantId === 'default',
});

beforeEach(() => {
  env = new TestEnv();
  ids = { anonymousId: 'anon-1' };
  page = '/products';
  live = new Live({
    env,
    url: () =>
      `wss://cdp.example/v1/live?anonymousId=${ids.anonymousId}` +
      (ids.userId ? `&userId=${ids.userId}` : ''),
    context: () => ({ page: { path: page } }),
    backoff: { retryBase: 500, retryMax: 30_000 },
  });
});

const socket = (i = env.sockets.length - 1) => env.sockets[i]!;

describe('Live', () => {
  it('opens one socket for all placements and subscribes to each with the page context', () => {
    const hero: Decision[] = [];
    live.on('home_hero', (d) => hero.push(d));
    live.on('cart_drawer', () => undefined);
    expect(env.sockets).toHaveLength(1);
    expect(socket().url).toBe('wss://cdp.example/v1/live?anonymousId=anon-1');
    expect(socket().sent).toEqual([]); // not open yet
    socket().open();
    expect(socket().sent).toEqual([
      {
        type: 'subscribe',
        placements: ['home_hero', 'cart_drawer'],
        context: { page: { path: '/products' } },
      },
    ]);
    socket().push({
      type: 'decisions',
      decisions: [decision('home_hero', 'default'), decision('cart_drawer', 'default')],
    });
    socket().push({ type: 'decisions', decisions: [decision('home_hero', 'winter')] });
    expect(hero.map((d) => d.variantId)).toEqual(['default', 'winter']);
  });

  it('subscribes again when a placement is added or the last listener of one leaves', () => {
    const offHero = live.on('home_hero', () => undefined);
    socket().open();
    live.on('cart_drawer', () => undefined);
    const offSecond = live.on('cart_drawer', () => undefined); // known placement: no resend
    expect(socket().sent.map((m) => m['placements'])).toEqual([
      ['home_hero'],
      ['home_hero', 'cart_drawer'],
    ]);
    offSecond();
    offHero();
    expect(socket().sent.map((m) => m['placements'])).toEqual([
      ['home_hero'],
      ['home_hero', 'cart_drawer'],
      ['cart_drawer'],
    ]);
  });

  it('subscribes again with the new context when the page changes', () => {
    live.on('home_hero', () => undefined);
    live.refresh(); // not open yet: onopen subscribes
    socket().open();
    page = '/checkout';
    live.refresh();
    expect(socket().sent.map((m) => m['context'])).toEqual([
      { page: { path: '/products' } },
      { page: { path: '/checkout' } },
    ]);
  });

  it('gives a late listener the latest decision', async () => {
    live.on('home_hero', () => undefined);
    socket().open();
    socket().push({ type: 'decisions', decisions: [decision('home_hero', 'winter')] });
    const late: string[] = [];
    live.on('home_hero', (d) => late.push(d.variantId));
    await settle();
    expect(late).toEqual(['winter']);
  });

  it('warns about server errors and keeps the connection', () => {
    live.on('nope', () => undefined);
    socket().open();
    socket().push({ type: 'error', code: 'unknown_placement', detail: 'No placement nope' });
    expect(env.warnings.join()).toContain('unknown_placement: No placement nope');
    expect(socket().closedWith).toBeUndefined();
  });

  it('reconnects with backoff, resubscribes, and resets the backoff after a stable connection', async () => {
    live.on('home_hero', () => undefined);
    socket().open();
    socket().drop();
    expect(env.pendingTimers()).toEqual([375]);
    await env.advance(375);
    expect(env.sockets).toHaveLength(2);
    socket().drop(); // never opened
    expect(env.pendingTimers()).toEqual([750]);
    await env.advance(750);
    socket().drop();
    expect(env.pendingTimers()).toEqual([1500]);
    await env.advance(1500);
    socket().open();
    expect(socket().sent).toHaveLength(1);
    await env.advance(10_000);
    socket().drop();
    expect(env.pendingTimers()).toEqual([375]);
  });

  it('reconnects at once when the network is back', () => {
    live.on('home_hero', () => undefined);
    socket().drop();
    expect(env.sockets).toHaveLength(1);
    live.retryNow();
    expect(env.sockets).toHaveLength(2);
    expect(env.pendingTimers()).toEqual([]);
  });

  it('does not reconnect after 4401 or 4400', async () => {
    live.on('home_hero', () => undefined);
    socket().open();
    socket().drop(4401);
    expect(env.pendingTimers()).toEqual([]);
    await env.advance(60_000);
    expect(env.sockets).toHaveLength(1);
    expect(env.warnings.join()).toContain('4401');
  });

  it('reconnects under the new ids when they change', () => {
    live.on('home_hero', () => undefined);
    socket().open();
    const first = socket();
    ids = { anonymousId: 'anon-1', userId: 'ann' };
    live.restart();
    expect(first.closedWith).toBe(1000);
    expect(env.sockets).toHaveLength(2);
    expect(socket().url).toBe('wss://cdp.example/v1/live?anonymousId=anon-1&userId=ann');
    // The old socket's close event does not schedule a reconnect.
    first.drop(1000);
    expect(env.pendingTimers()).toEqual([]);
  });

  it('closes the socket when the last listener leaves, and stops retrying', () => {
    const off = live.on('home_hero', () => undefined);
    socket().open();
    off();
    expect(socket().closedWith).toBe(1000);
    socket().drop(1000);
    expect(env.pendingTimers()).toEqual([]);
    // A new listener opens a new one.
    live.on('home_hero', () => undefined);
    expect(env.sockets).toHaveLength(2);
  });

  it('keeps calling other listeners when one throws', () => {
    const got: string[] = [];
    live.on('home_hero', () => {
      throw new Error('page bug');
    });
    live.on('home_hero', (d) => got.push(d.variantId));
    socket().open();
    socket().push({ type: 'decisions', decisions: [decision('home_hero', 'winter')] });
    expect(got).toEqual(['winter']);
    expect(env.warnings.join()).toContain('listener threw');
  });
});
