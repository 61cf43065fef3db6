/**
 * `npm run bench:rfm`: how long an RFM recompute takes over many profiles, and how long it
 * holds the event loop at most. Synthetic profiles (BENCH_RFM_PROFILES, default 100,000;
 * about 70% with 1–8 orders over two years) are written straight into a fresh state.db, then
 * the real service recomputes over the real SQLite profile store.
 */
import {
  recordActivity,
  rfmDefinitions,
  updateComputed,
  type ComputedTraitDefinition,
} from '@attune/engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../packages/server/src/adapters/sqlite/open-database.js';
import { SqliteProfileStore } from '../../packages/server/src/adapters/sqlite/profile-store.sqlite.js';
import { SqliteRfmSnapshotsStore } from '../../packages/server/src/adapters/sqlite/rfm-snapshots.sqlite.js';
import type { ProfileData } from '../../packages/server/src/modules/profiles/profile.store.js';
import { RfmService } from '../../packages/server/src/modules/rfm/rfm.service.js';
import { testCipher } from '../../packages/server/src/testing/test-cipher.js';

const count = Number(process.env['BENCH_RFM_PROFILES'] ?? 100_000);
const day = 86_400_000;
const now = Date.UTC(2026, 10, 23);
const definitions: ComputedTraitDefinition[] = [...rfmDefinitions];

let seed = 7;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

function profileOf(i: number): ProfileData {
  const computed: ProfileData['computed'] = { activity: {}, aggregates: {} };
  const views = 1 + Math.floor(random() * 30);
  for (let k = 0; k < views; k++) {
    recordActivity(computed.activity, 'Product Viewed', now - random() * 730 * day);
  }
  if (random() < 0.7) {
    const orders = 1 + (Math.floor(-Math.log(random()) * 1.5) % 8);
    for (let k = 0; k < orders; k++) {
      const time = now - random() * 730 * day;
      recordActivity(computed.activity, 'Order Completed', time);
      const properties = { revenue: Math.round(Math.exp(3 + random() * 3) * 100) / 100 };
      updateComputed(computed.aggregates, definitions, 'Order Completed', properties, time);
    }
  }
  return {
    id: `p_${i}`,
    firstSeen: now - 730 * day,
    lastSeen: now,
    eventCount: views,
    traits: { values: { email: `user${i}@example.com`, plan: 'free' }, times: {} },
    computed,
    recentEvents: [],
    trails: {},
    segments: { members: {}, timer: null },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'attune-bench-rfm-'));
try {
  const stateDb = openDatabase(join(dir, 'state.db'), { schema: 'state' });
  const logDb = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  const profiles = new SqliteProfileStore(stateDb, testCipher());
  let started = performance.now();
  stateDb.transaction(() => {
    for (let i = 0; i < count; i++) profiles.save(profileOf(i));
  })();
  process.stdout.write(
    `wrote ${count.toLocaleString('en-US')} profiles in ${Math.round(performance.now() - started)} ms\n`,
  );

  const rfm = new RfmService({
    snapshots: new SqliteRfmSnapshotsStore(logDb),
    profiles,
    segments: { create: () => ({}) as never },
    clock: { now: () => now },
  });
  for (const round of [1, 2]) {
    // The longest the event loop waited for a turn while the recompute ran.
    let longest = 0;
    let last = performance.now();
    let running = true;
    const probe = (): void => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
      if (running) setImmediate(probe);
    };
    setImmediate(probe);
    started = performance.now();
    const result = await rfm.recompute();
    running = false;
    process.stdout.write(
      `recompute ${round}: ${Math.round(performance.now() - started)} ms, ` +
        `${result.profilesScanned.toLocaleString('en-US')} profiles, ` +
        `${result.snapshot?.customers.toLocaleString('en-US')} customers, ` +
        `changed ${result.changed}, longest event-loop wait ${longest.toFixed(1)} ms\n`,
    );
    if (round === 1) process.stdout.write(`${JSON.stringify(result.snapshot?.breakpoints)}\n`);
  }
  stateDb.close();
  logDb.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
