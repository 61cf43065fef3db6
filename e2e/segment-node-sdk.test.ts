import { Analytics } from '@segment/analytics-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './support/server-process.js';

const writeKey = 'wk_e2e_segment_sdk';
const adminKey = 'sk_e2e_segment_sdk_admin';
let dataDir: string;
let server: ServerProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'attune-sdk-'));
  server = await startServer({
    ATTUNE_DATA_DIR: dataDir,
    ATTUNE_WRITE_KEY: writeKey,
    ATTUNE_ADMIN_KEY: adminKey,
  });
});
afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface EventsPage {
  events: {
    sourceId: string;
    type: string;
    event: string | null;
    userId: string | null;
    anonymousId: string | null;
    messageId: string;
    message: Record<string, unknown>;
  }[];
}

describe('the Segment Node SDK (@segment/analytics-node) pointed at Attune', () => {
  it('delivers track, identify, page, screen, group and alias', async () => {
    const analytics = new Analytics({ writeKey, host: server.url, flushAt: 3, flushInterval: 50 });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));

    analytics.identify({ userId: 'sdk-user', traits: { email: 'ann@example.com', plan: 'pro' } });
    analytics.track({
      userId: 'sdk-user',
      event: 'Order Completed',
      properties: { revenue: 42.5, currency: 'EUR' },
    });
    analytics.page({ anonymousId: 'sdk-anon', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.screen({ userId: 'sdk-user', name: 'Cart' });
    analytics.group({ userId: 'sdk-user', groupId: 'acme', traits: { name: 'Acme' } });
    analytics.alias({ userId: 'sdk-user', previousId: 'sdk-anon' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(failures).toEqual([]);

    const res = await fetch(`${server.url}/v1/events?limit=100`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as EventsPage;
    // Attune's own events (e.g. `Identity Merged` from source `attune`) are not the SDK's.
    const sent = page.events.filter((e) => e.sourceId !== 'attune');
    const byType = Object.fromEntries(sent.map((e) => [e.type, e]));
    expect(Object.keys(byType).sort()).toEqual([
      'alias',
      'group',
      'identify',
      'page',
      'screen',
      'track',
    ]);
    expect(byType['track']).toMatchObject({
      event: 'Order Completed',
      userId: 'sdk-user',
      message: { properties: { revenue: 42.5, currency: 'EUR' } },
    });
    expect(byType['identify']?.message).toMatchObject({ traits: { email: 'ann@example.com' } });
    expect(byType['page']).toMatchObject({ event: 'Pricing', anonymousId: 'sdk-anon' });
    expect(byType['screen']).toMatchObject({ event: 'Cart' });
    expect(byType['group']?.message).toMatchObject({ groupId: 'acme' });
    expect(byType['alias']?.message).toMatchObject({ previousId: 'sdk-anon', userId: 'sdk-user' });
    // The SDK's own messageIds and library context are kept.
    expect(byType['track']?.message).toMatchObject({
      context: { library: { name: '@segment/analytics-node' } },
    });
    expect(byType['track']?.messageId).toBe(byType['track']?.message['messageId']);
  });
});
