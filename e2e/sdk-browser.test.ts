import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { startServer, type ServerProcess } from './support/server-process.js';

/**
 * The browser SDK (dist/attune.js, built by the vitest global setup) in real Chromium
 * against a real `attune serve`. The test page comes from another origin (a small HTTP
 * server on another port), so every call the SDK makes is a cross-origin one.
 */
let dataDir: string;
let server: ServerProcess;
let site: Server;
let siteUrl: string;
let browser: Browser;
let writeKey: string;
let adminKey: string;

interface StoredEvent {
  type: string;
  event: string | null;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  message: {
    context?: Record<string, unknown> & { library?: { name: string; version: string } };
    properties?: Record<string, unknown>;
    traits?: Record<string, unknown>;
  };
}

interface Decision {
  placement: string;
  variantId: string;
  payload: unknown;
  ruleId: string | null;
  reason: string;
  decisionId: string;
  fallback: boolean;
}

/** The SDK as the page sees it (the root tsconfig has no DOM types). */
interface PageSdk {
  track(event: string, properties?: object): Promise<{ delivered: boolean }>;
  identify(userId: string, traits?: object): Promise<unknown>;
  page(name?: string): Promise<unknown>;
  reset(): void;
  flush(): Promise<void>;
  user(): { id(): string | null; anonymousId(): string };
  consent: { set(choice: { purposes: Record<string, boolean> }): Promise<unknown> };
  decide(placements: string[], context?: object): Promise<Record<string, Decision>>;
  onDecision(placement: string, listener: (decision: Decision) => void): () => void;
  decisionClicked(decision: Decision): Promise<unknown>;
}
interface PageWindow {
  localStorage: { getItem(key: string): string | null; removeItem(key: string): void };
  seen?: Decision[];
}

/** Runs `fn` in the page with its `attune` and `window`; `arg` goes through JSON. */
function inPage<T, A = null>(
  page: Page,
  fn: (attune: PageSdk, window: PageWindow, arg: A) => T | Promise<T>,
  arg?: A,
): Promise<T> {
  return page.evaluate<T>(
    `(${fn.toString()})(window.attune, window, ${JSON.stringify(arg ?? null)})`,
  );
}

const admin = async (method: string, path: string, body?: object) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminKey}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The visitor's events, without the decisions the server logs for them. */
async function eventsOf(anonymousId: string): Promise<StoredEvent[]> {
  const { body } = await admin(
    'GET',
    `/v1/events?anonymousId=${encodeURIComponent(anonymousId)}&limit=1000`,
  );
  return (body['events'] as StoredEvent[]).filter((e) => e.event !== 'Decision Served');
}
const namesOf = async (anonymousId: string) =>
  (await eventsOf(anonymousId)).map((e) => (e.type === 'track' ? e.event : e.type));

const queued = (page: Page) =>
  inPage(page, (_a, w, key) => w.localStorage.getItem(key), `attune:queue:${writeKey}`);

/** The test site: the built SDK and pages that load it with the write key and a host. */
function startSite(): Promise<string> {
  const sdk = readFileSync(new URL('../packages/sdk-browser/dist/attune.js', import.meta.url));
  site = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://site');
    if (url.pathname === '/attune.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
      return;
    }
    const scripts =
      url.pathname === '/script-tag'
        ? // One tag, from Attune itself: the host defaults to where the script came from.
          // A call queued before it loads is replayed.
          `<script>window.attune = [['track', 'Queued Before Load']];</script>
           <script src="${server.url}/sdk/attune.js" data-write-key="${writeKey}"></script>`
        : `<script src="/attune.js"></script>
           <script>
             const query = new URLSearchParams(location.search);
             attune.load(${JSON.stringify(writeKey)}, {
               host: query.get('host') || ${JSON.stringify(server.url)},
               ...JSON.parse(query.get('options') || '{}'),
             });
           </script>`;
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><title>SDK test page</title>${scripts}<p>Tents</p>`);
  });
  return new Promise((resolve) =>
    site.listen(0, '127.0.0.1', () => {
      const { port } = site.address() as { port: number };
      resolve(`http://127.0.0.1:${port}`);
    }),
  );
}

async function openPage(path = '/shop'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${siteUrl}${path}`);
  return { context, page };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-sdk-browser-'));
  // The time budget is tested in decide.service.test.ts; here a cold server on a busy CI
  // machine must not turn the first decide into a fallback.
  server = await startServer({ ATTUNE_DATA_DIR: dataDir, ATTUNE_DECIDE_TIME_BUDGET_MS: '2000' });
  writeKey = /write key \(default source\): (wk_\w+)/.exec(server.output())![1]!;
  adminKey = /admin key:\s+(sk_\w+)/.exec(server.output())![1]!;
  [siteUrl, browser] = await Promise.all([startSite(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A banner that changes when the visitor enters a segment (an event condition); made
 * once, by whichever live test runs first (expect.poll works only inside tests). */
let banner: Promise<void> | undefined;
const bannerReady = () =>
  (banner ??= (async () => {
    const segment = await admin('POST', '/v1/segments', {
      id: 'sdk-upgraders',
      name: 'Clicked upgrade',
      condition: { type: 'event', event: 'Upgrade Clicked' },
    });
    expect(segment.status).toBe(201);
    const placement = await admin('POST', '/v1/placements', {
      id: 'sdk_banner',
      name: 'SDK banner',
      rules: [
        {
          id: 'upgraders',
          condition: { type: 'segment', segment: 'sdk-upgraders' },
          variant: { id: 'upgrade', payload: { text: 'Thanks for upgrading' } },
        },
      ],
      fallback: { id: 'default' },
    });
    expect(placement.status).toBe(201);
    await expect
      .poll(async () => {
        const { body } = await admin('GET', '/v1/segments/sdk-upgraders');
        return (body['status'] as { state: string } | null)?.state;
      })
      .toBe('ready');
  })());

describe('the browser SDK in Chromium', () => {
  it('delivers page, track and identify with the visitor ids and the library context', async () => {
    const { context, page } = await openPage('/shop?utm_campaign=winter&utm_source=news');
    const anonymousId = await inPage(page, (attune) => {
      void attune.page('Shop');
      void attune.track('Product Viewed', { sku: 'TENT-2' });
      void attune.identify('ann', { email: 'ann@example.com' });
      return attune.user().anonymousId();
    });
    await expect
      .poll(() => namesOf(anonymousId), { timeout: 10_000 })
      .toEqual(['page', 'Product Viewed', 'identify']);
    const [pageView, viewed, identify] = await eventsOf(anonymousId);
    expect(pageView!.message.properties).toMatchObject({
      name: 'Shop',
      path: '/shop',
      url: `${siteUrl}/shop?utm_campaign=winter&utm_source=news`,
      title: 'SDK test page',
    });
    expect(viewed).toMatchObject({ userId: null, message: { properties: { sku: 'TENT-2' } } });
    expect(viewed!.message.context).toMatchObject({
      library: { name: 'attune-sdk-browser', version: '0.1.0' },
      page: { path: '/shop' },
      campaign: { name: 'winter', source: 'news' },
      userAgent: expect.stringContaining('Chrome') as unknown,
    });
    expect(identify).toMatchObject({
      userId: 'ann',
      anonymousId,
      message: { traits: { email: 'ann@example.com' } },
    });
    await context.close();
  });

  it('keeps the anonymous id across reloads in the cookie and localStorage; reset() changes it', async () => {
    const { context, page } = await openPage();
    const anonymousIdOf = () => inPage(page, (attune) => attune.user().anonymousId());
    const first = await anonymousIdOf();
    const cookie = async () =>
      (await context.cookies()).find((c) => c.name === 'ajs_anonymous_id')?.value;
    expect(await cookie()).toBe(first);
    expect(await inPage(page, (_a, w) => w.localStorage.getItem('ajs_anonymous_id'))).toBe(first);

    await page.reload();
    expect(await anonymousIdOf()).toBe(first);
    // Either store alone is enough, and the other is repaired.
    await context.clearCookies();
    await page.reload();
    expect(await anonymousIdOf()).toBe(first);
    expect(await cookie()).toBe(first);
    await inPage(page, (_a, w) => w.localStorage.removeItem('ajs_anonymous_id'));
    await page.reload();
    expect(await anonymousIdOf()).toBe(first);

    await inPage(page, (attune) => attune.reset());
    const second = await anonymousIdOf();
    expect(second).not.toBe(first);
    await page.reload();
    expect(await anonymousIdOf()).toBe(second);
    expect(await cookie()).toBe(second);
    await context.close();
  });

  it('queues events while offline, persisted, and delivers each exactly once when back', async () => {
    // Retries a minute apart: only the browser's `online` event can explain a quick delivery.
    const { context, page } = await openPage(`/?options=${JSON.stringify({ retryBase: 60_000 })}`);
    const anonymousId = await inPage(page, (attune) => attune.user().anonymousId());
    await context.setOffline(true);
    await inPage(page, async (attune) => {
      for (const n of [1, 2, 3]) void attune.track('Offline Event', { n });
      await attune.flush(); // an attempt, which fails
    });
    expect(JSON.parse((await queued(page)) ?? '[]')).toHaveLength(3);
    expect(await namesOf(anonymousId)).toEqual([]);

    await context.setOffline(false); // the `online` event retries at once
    await expect.poll(async () => (await namesOf(anonymousId)).length, { timeout: 10_000 }).toBe(3);
    const events = await eventsOf(anonymousId);
    expect(events.map((e) => e.message.properties?.['n']).sort()).toEqual([1, 2, 3]);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(3);
    await expect.poll(() => queued(page)).toBeNull();
    await context.close();
  });

  it('sends what a page left queued after a reload, once', async () => {
    const { context, page } = await openPage();
    const anonymousId = await inPage(page, (attune) => attune.user().anonymousId());
    await context.route('**/v1/batch', (route) => route.abort('connectionrefused'));
    await inPage(page, (attune) => void attune.track('Before Reload'));
    await expect.poll(() => queued(page)).toContain('Before Reload');
    await context.unrouteAll();
    await page.reload(); // load() sends the persisted queue
    await expect.poll(() => namesOf(anonymousId), { timeout: 10_000 }).toEqual(['Before Reload']);
    await expect.poll(() => queued(page)).toBeNull();
    expect(await namesOf(anonymousId)).toEqual(['Before Reload']);
    await context.close();
  });

  it('hands the queue to sendBeacon when the visitor leaves the page', async () => {
    // No timed flush: only the pagehide beacon can deliver before the page is gone.
    const { context, page } = await openPage(
      `/?options=${JSON.stringify({ flushInterval: 60_000 })}`,
    );
    const anonymousId = await inPage(page, (attune) => {
      void attune.track('Left For Another Site');
      return attune.user().anonymousId();
    });
    await page.goto('about:blank');
    await expect
      .poll(() => namesOf(anonymousId), { timeout: 10_000 })
      .toEqual(['Left For Another Site']);
    await context.close();
  });

  it('carries consent: without analytics the server stores nothing, and records the refusal', async () => {
    const { context, page } = await openPage();
    const anonymousId = await inPage(page, async (attune) => {
      void attune.track('Before Choice');
      void attune.consent.set({ purposes: { analytics: false, advertising: false } });
      void attune.track('After Refusal');
      await attune.flush(); // acknowledged (the server answers 200 and drops them)
      return attune.user().anonymousId();
    });
    expect(await namesOf(anonymousId)).toEqual(['Before Choice']);
    const consent = await admin('GET', `/v1/profiles/anonymous_id:${anonymousId}/consent`);
    expect(consent.body['purposes']).toMatchObject({
      analytics: { granted: false },
      advertising: { granted: false },
    });

    await inPage(page, async (attune) => {
      void attune.consent.set({ purposes: { analytics: true } });
      void attune.track('After Consent');
      await attune.flush();
    });
    const events = await eventsOf(anonymousId);
    expect(events.map((e) => e.event)).toEqual([
      'Before Choice',
      'Consent Updated',
      'After Consent',
    ]);
    expect(events[2]!.message.context).toMatchObject({
      consent: { categoryPreferences: { analytics: true, advertising: false } },
    });
    await context.close();
  });

  it('decide() answers from a placement, and resolves {} quickly when Attune is unreachable', async () => {
    const created = await admin('POST', '/v1/placements', {
      id: 'sdk_hero',
      name: 'SDK hero',
      rules: [
        {
          id: 'winter',
          condition: { type: 'context', field: 'campaign.name', op: 'eq', value: 'winter' },
          variant: { id: 'winter', payload: { image: '/winter.jpg' } },
        },
      ],
      fallback: { id: 'default', payload: { image: '/default.jpg' } },
    });
    expect(created.status).toBe(201);

    const { context, page } = await openPage('/?utm_campaign=winter');
    const decisions = await inPage(page, (attune) => attune.decide(['sdk_hero']));
    expect(decisions['sdk_hero']).toMatchObject({
      placement: 'sdk_hero',
      variantId: 'winter',
      payload: { image: '/winter.jpg' },
      ruleId: 'winter',
      reason: 'rule',
      fallback: false,
      decisionId: expect.any(String) as unknown,
    });
    const given = await inPage(page, (attune) =>
      attune.decide(['sdk_hero'], { campaign: { name: 'summer' } }),
    );
    expect(given['sdk_hero']).toMatchObject({ variantId: 'default', fallback: true });

    // Nothing listening there: the page keeps its own content at once.
    const closed = await openPage('/?host=http://127.0.0.1:9');
    const timed = (p: Page) =>
      inPage(p, async (attune) => {
        const started = Date.now();
        const answer = await attune.decide(['sdk_hero']);
        return { answer, ms: Date.now() - started };
      });
    const refused = await timed(closed.page);
    expect(refused.answer).toEqual({});
    expect(refused.ms).toBeLessThan(1500);
    // A server that never answers: {} after the 1.5 s timeout.
    await context.route('**/v1/decide', () => undefined);
    const hung = await timed(page);
    expect(hung.answer).toEqual({});
    expect(hung.ms).toBeGreaterThanOrEqual(1400);
    expect(hung.ms).toBeLessThan(3000);
    await Promise.all([context.close(), closed.context.close()]);
  });

  describe('live decisions', () => {
    it('onDecision gets the first decision and a live push after an event changes it', async () => {
      await bannerReady();
      const { context, page } = await openPage();
      await inPage(page, (attune, w) => {
        w.seen = [];
        attune.onDecision('sdk_banner', (decision) => w.seen!.push(decision));
      });
      const seen = () => inPage(page, (_a, w) => w.seen!.map((d) => d.variantId));
      await expect.poll(seen, { timeout: 10_000 }).toEqual(['default']);

      await inPage(page, (attune) => void attune.track('Upgrade Clicked'));
      await expect.poll(seen, { timeout: 15_000 }).toEqual(['default', 'upgrade']);

      const anonymousId = await inPage(page, async (attune, w) => {
        void attune.decisionClicked(w.seen![1]!);
        await attune.flush();
        return attune.user().anonymousId();
      });
      const decisionId = await inPage(page, (_a, w) => w.seen![1]!.decisionId);
      const clicked = (await eventsOf(anonymousId)).find((e) => e.event === 'Decision Clicked');
      expect(clicked?.message.properties).toMatchObject({
        decisionId,
        placement: 'sdk_banner',
        variantId: 'upgrade',
        ruleId: 'upgraders',
      });
      await context.close();
    });

    it('reconnects the live socket after the connection drops, and keeps getting pushes', async () => {
      await bannerReady();
      const { context, page } = await openPage();
      // Playwright relays the socket, so the test can cut it like a restarting proxy would.
      const relays: { close(options?: { code?: number }): Promise<void> }[] = [];
      await context.routeWebSocket(/\/v1\/live/, (ws) => {
        ws.connectToServer();
        relays.push(ws);
      });
      await inPage(page, (attune, w) => {
        w.seen = [];
        attune.onDecision('sdk_banner', (decision) => w.seen!.push(decision));
      });
      const seen = () => inPage(page, (_a, w) => w.seen!.map((d) => d.variantId));
      await expect.poll(seen, { timeout: 10_000 }).toEqual(['default']);

      await relays[0]!.close({ code: 1001 });
      await expect.poll(() => relays.length, { timeout: 10_000 }).toBe(2);
      await expect.poll(seen, { timeout: 10_000 }).toEqual(['default', 'default']);
      await inPage(page, (attune) => void attune.track('Upgrade Clicked'));
      await expect.poll(seen, { timeout: 15_000 }).toEqual(['default', 'default', 'upgrade']);
      await context.close();
    });
  });

  it('works from one script tag served by Attune, with the write key on the tag and calls queued before it', async () => {
    const { context, page } = await openPage('/script-tag');
    const anonymousId = await inPage(page, (attune) => {
      void attune.track('Script Tag Loaded');
      return attune.user().anonymousId();
    });
    await expect
      .poll(() => namesOf(anonymousId), { timeout: 10_000 })
      .toEqual(['Queued Before Load', 'Script Tag Loaded']);
    await context.close();
  });
});
