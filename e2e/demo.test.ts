import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { startServer, type ServerProcess } from './support/server-process.js';

/**
 * The demo shop in real Chromium against a real `attune serve`: the hero follows the
 * visitor's behaviour live, events and decisions reach the log, and with Attune out of
 * reach the page keeps its built-in hero and queues events until Attune is back.
 */
const adminKey = 'sk_e2e_demo_admin_key_000001';
let dataDir: string;
let port: number;
let server: ServerProcess;
let browser: Browser;

interface StoredEvent {
  type: string;
  event: string | null;
  messageId: string;
  anonymousId: string | null;
  sourceId: string;
  message: { properties?: Record<string, unknown> };
}

/** The page's localStorage (the root tsconfig has no DOM types). */
interface PageStorage {
  getItem(key: string): string | null;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: free } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

const start = () =>
  // A cold server on a busy CI machine must not answer the hero's decide with its fallback
  // for lack of time (the budget is tested in decide.service.test.ts).
  startServer({
    ATTUNE_DATA_DIR: dataDir,
    ATTUNE_ADMIN_KEY: adminKey,
    ATTUNE_DECIDE_TIME_BUDGET_MS: '2000',
    PORT: String(port),
  });

async function eventsOf(anonymousId: string): Promise<StoredEvent[]> {
  const res = await fetch(
    `${server.url}/v1/events?anonymousId=${encodeURIComponent(anonymousId)}&limit=1000`,
    { headers: { authorization: `Bearer ${adminKey}` } },
  );
  return ((await res.json()) as { events: StoredEvent[] }).events;
}

const nameOf = (e: StoredEvent) => (e.type === 'track' ? e.event : e.type);
const heroVariant = (page: Page) => page.getAttribute('[data-testid=hero]', 'data-variant');
const anonymousIdOf = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { attune: { user(): { anonymousId(): string } } }).attune
      .user()
      .anonymousId(),
  );

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-demo-e2e-'));
  port = await freePort();
  server = await start();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo shop in Chromium', () => {
  it('changes the hero live as the visitor browses, buys, and logs it all', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/demo`);
    await expect.poll(() => heroVariant(page), { timeout: 10_000 }).toBe('welcome');
    // A marker that a reload would wipe: every change below arrives without one.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));

    await page.click('[data-testid=view-tent-2p]');
    await page.click('[data-testid=view-boots-trail]');
    await expect.poll(() => heroVariant(page), { timeout: 15_000 }).toBe('outdoor');
    expect(await page.textContent('[data-testid=hero]')).toContain('Made for the trail');

    await page.click('[data-testid=add-tent-2p]');
    await expect.poll(() => heroVariant(page), { timeout: 15_000 }).toBe('cart-reminder');

    await page.click('[data-testid=checkout]');
    await expect.poll(() => heroVariant(page), { timeout: 15_000 }).toBe('outdoor');
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(
      1,
    );

    const anonymousId = await anonymousIdOf(page);
    await expect
      .poll(async () => (await eventsOf(anonymousId)).map((e) => nameOf(e)), {
        timeout: 10_000,
      })
      .toEqual(
        expect.arrayContaining([
          'page',
          'Product Viewed',
          'Product Added',
          'Order Completed',
          'Decision Served',
        ]),
      );
    const events = await eventsOf(anonymousId);
    expect(events.every((e) => e.sourceId === 'demo')).toBe(true);
    expect(events.filter((e) => e.event === 'Product Viewed')).toHaveLength(2);
    const served = events
      .filter((e) => e.event === 'Decision Served')
      .map((e) => e.message.properties?.['variantId']);
    expect(served).toEqual(expect.arrayContaining(['welcome', 'outdoor', 'cart-reminder']));
    await context.close();
  }, 60_000);

  it('keeps the built-in hero when Attune is out of reach, and queues events until it is back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The page loads, but its calls to the API fail: the hero must stay as built.
    await context.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await context.routeWebSocket(/\/v1\/live/, (ws) => ws.close());
    await page.goto(`${server.url}/demo`);
    await expect
      .poll(() => page.textContent('[data-testid=log]'), { timeout: 10_000 })
      .toContain('built-in content kept');
    expect(await heroVariant(page)).toBe('built-in');
    await context.unrouteAll();

    // Now Attune itself goes away while the visitor shops.
    await server.stop();
    await page.click('[data-testid=view-pack-35]');
    await page.click('[data-testid=add-pack-35]');
    const anonymousId = await anonymousIdOf(page);
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            // In the page: the SDK's queue as it persisted it.
            const storage = (globalThis as unknown as { localStorage: PageStorage }).localStorage;
            return Object.keys(storage)
              .filter((k) => k.startsWith('attune:queue:'))
              .map((k) => storage.getItem(k) ?? '')
              .join('');
          }),
        { timeout: 5_000 },
      )
      .toContain('Product Added');

    server = await start();
    await expect
      .poll(async () => (await eventsOf(anonymousId)).map((e) => nameOf(e)).sort(), {
        timeout: 40_000,
        interval: 500,
      })
      .toEqual(expect.arrayContaining(['Product Added', 'Product Viewed', 'page']));
    // Each exactly once, though sends were retried.
    const events = await eventsOf(anonymousId);
    const ids = events.filter((e) => e.event !== 'Decision Served').map((e) => e.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.filter((e) => e.event === 'Product Added')).toHaveLength(1);
    await context.close();
  }, 90_000);
});
