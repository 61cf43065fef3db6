import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AttuneApp } from './app.js';
import { replay } from './replay.js';
import { startTestApp } from './testing/test-app.fixture.js';
import { decryptedRows } from './testing/test-cipher.js';
import { PiiCipher } from './modules/privacy/pii-cipher.js';
import type { Keyring } from './platform/keyring.js';

function dump(file: string, keyring: Keyring): unknown {
  const db = new Database(file, { readonly: true });
  const cipher = new PiiCipher(keyring);
  try {
    const all = (sql: string) => decryptedRows(db.prepare(sql).all(), cipher);
    // When a profile entered a segment or stage is when the processor noticed (the wall
    // clock), which a replay does later: compared without it.
    const withoutSince = (row: { segments: string }) => {
      // Stored packed: members as { id: [version, since] }.
      const segments = JSON.parse(row.segments) as { m: Record<string, number[]> };
      for (const m of Object.values(segments.m)) m.length = 1;
      return { ...row, segments };
    };
    return {
      profiles: (all('SELECT * FROM profiles ORDER BY id') as { segments: string }[]).map(
        withoutSince,
      ),
      stages: all('SELECT profile_id, stage FROM profile_stages ORDER BY profile_id'),
      stageChanges: all(
        'SELECT profile_id, from_stage, to_stage, event_offset FROM stage_changes ORDER BY seq',
      ),
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
      mergeEventsLogged: all('SELECT seq FROM merge_events_logged'),
    };
  } finally {
    db.close();
  }
}

/** Waits until the processor has seen everything, including the merge events it caused. */
async function settle(app: AttuneApp): Promise<void> {
  for (;;) {
    const last = await app.eventLog.lastOffset();
    await app.processor!.caughtUp(last);
    await app.mergeEvents.idle();
    if ((await app.eventLog.lastOffset()) === last) return;
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
      await settle(t.app);
      const events = await t.app.eventLog.lastOffset();
      await t.app.close();
      const incremental = dump(t.app.files.state, t.app.keyring) as {
        conflicts: unknown[];
        merges: unknown[];
        mergeEventsLogged: { seq: number }[];
      };
      expect(incremental.merges.length).toBeGreaterThan(0);
      // Every merge went into the log as an event, and the relay noted how far it got.
      expect(events).toBe(1000 + incremental.merges.length);
      expect(incremental.mergeEventsLogged).toEqual([{ seq: incremental.merges.length }]);
      expect(incremental.conflicts.length).toBeGreaterThan(0);

      const progress = await replay(t.config, () => undefined);
      expect(progress.processed).toBe(events);
      const replayed = dump(t.app.files.state, t.app.keyring) as typeof incremental;
      // The outbox cursor is the relay's note of what it appended: a replayed state has none,
      // so the next start re-sends the merges and the log's dedup drops each one.
      expect(replayed.mergeEventsLogged).toEqual([]);
      expect({ ...replayed, mergeEventsLogged: incremental.mergeEventsLogged }).toEqual(
        incremental,
      );
    } finally {
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });
});
