import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replay } from './replay.js';
import { startTestApp } from './testing/test-app.fixture.js';

function dump(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all();
    return {
      profiles: all('SELECT * FROM profiles ORDER BY id'),
      identityProfiles: all('SELECT * FROM identity_profiles ORDER BY id'),
      identities: all('SELECT * FROM identities ORDER BY type, value'),
      merges: all(
        'SELECT survivor_id, merged_id, event_offset, event_message_id, event_time, identifiers FROM identity_merges ORDER BY seq',
      ),
      conflicts: all(
        'SELECT profile_id, other_profile_id, identifier_type, identifier_value, reason, event_offset FROM identity_conflicts ORDER BY seq',
      ),
      timeline: all('SELECT * FROM profile_timeline ORDER BY profile_id, last_offset'),
      volume: all('SELECT * FROM event_volume ORDER BY source_id, type, event'),
      offsets: all('SELECT name, committed_offset FROM processor_offsets'),
    };
  } finally {
    db.close();
  }
}

describe('attune replay', () => {
  it('rebuilds exactly the state the processor built incrementally', async () => {
    const t = await startTestApp();
    try {
      let seed = 7;
      const rand = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      // Many small requests, so the live processor sees many batch boundaries.
      for (let r = 0; r < 40; r++) {
        const batch = Array.from({ length: 25 }, () => {
          const user = rand(30);
          const kind = rand(4);
          const device = rand(10) === 0 ? 'kiosk' : `dev-${user * 2 + rand(2)}`;
          const base = {
            anonymousId: device,
            timestamp: new Date(Date.UTC(2026, 9, 1) + rand(40) * 86_400_000).toISOString(),
          };
          if (kind === 0)
            return {
              ...base,
              type: 'identify',
              userId: `u${user}`,
              traits: { plan: ['free', 'pro'][rand(2)], email: `u${user}@example.com` },
            };
          if (kind === 1)
            return {
              ...base,
              type: 'track',
              event: 'Order Completed',
              properties: { revenue: rand(100) },
            };
          if (kind === 2) return { ...base, type: 'page', name: 'Home' };
          return { ...base, type: 'track', userId: `u${user}`, event: 'Product Viewed' };
        });
        const res = await t.app.http.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: { authorization: t.basicAuth },
          payload: { batch },
        });
        expect(res.statusCode).toBe(200);
      }
      await t.app.processor!.caughtUp(await t.app.eventLog.lastOffset());
      await t.app.close();
      const incremental = dump(t.app.files.state);
      expect((incremental as { merges: unknown[] }).merges.length).toBeGreaterThan(0);
      expect((incremental as { conflicts: unknown[] }).conflicts.length).toBeGreaterThan(0);

      const progress = await replay(t.config, () => undefined);
      expect(progress.processed).toBe(1000);
      expect(dump(t.app.files.state)).toEqual(incremental);
    } finally {
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });
});
