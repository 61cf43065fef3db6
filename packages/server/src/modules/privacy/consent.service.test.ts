import { defaultConsentPolicy, defaultIdentityRules } from '@attune/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteConsentStore } from '../../adapters/sqlite/consent-store.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import { ConsentService } from './consent.service.js';

let db: SqliteDatabase | undefined;
afterEach(() => db?.close());

function service(database: SqliteDatabase): ConsentService {
  return new ConsentService({
    store: new SqliteConsentStore(database),
    policy: defaultConsentPolicy,
    pseudonym: (type, value) => `ps_${type}_${value}`,
    rules: defaultIdentityRules,
    identity: { resolve: () => undefined, identifiersOf: () => [], ownerOf: () => undefined },
    clock: new ManualClock(Date.parse('2026-11-01T00:00:00Z')),
    onFlushError: (error) => {
      throw error;
    },
  });
}

describe('ConsentService', () => {
  it('keeps the state across restarts (folded from the stored history)', () => {
    db = openDatabase(':memory:', { schema: 'log' });
    const first = service(db);
    first.load();
    first.update({ userId: 'u1', purposes: { advertising: false, marketing_email: true } });
    first.update({ userId: 'u1', purposes: { advertising: false } });
    const again = service(db);
    again.load();
    expect(again.allowsIdentifiers({ userId: 'u1' }, 'advertising')).toBe(false);
    expect(again.allowsIdentifiers({ userId: 'u1' }, 'marketing_email')).toBe(true);
    // The unchanged second call recorded nothing.
    expect(again.historyOfPseudonyms(['ps_user_id_u1'])).toHaveLength(1);
  });

  it('lets a later choice win over an older one that arrives late', () => {
    db = openDatabase(':memory:', { schema: 'log' });
    const consent = service(db);
    consent.update({
      anonymousId: 'a1',
      purposes: { marketing_sms: true },
      timestamp: '2026-10-02T00:00:00Z',
    });
    consent.update({
      anonymousId: 'a1',
      purposes: { marketing_sms: false },
      timestamp: '2026-10-01T00:00:00Z',
    });
    expect(consent.allowsIdentifiers({ anonymousId: 'a1' }, 'marketing_sms')).toBe(true);
    expect(consent.historyOfPseudonyms(['ps_anonymous_id_a1'])).toHaveLength(2);
  });

  it('writes what the gate records in one go once the synchronous pass yields', async () => {
    db = openDatabase(':memory:', { schema: 'log' });
    const consent = service(db);
    consent.load();
    for (let i = 0; i < 50; i++)
      consent.record(
        consent.pseudonymsOf({ anonymousId: `v${i}` }),
        {
          source: 'context',
          purposes: { advertising: false },
        },
        1000 + i,
        null,
      );
    expect(db.prepare('SELECT count(*) FROM consent_changes').pluck().get()).toBe(0);
    expect(consent.allowsIdentifiers({ anonymousId: 'v7' }, 'advertising')).toBe(false);
    await Promise.resolve();
    expect(db.prepare('SELECT count(*) FROM consent_changes').pluck().get()).toBe(50);
    const again = service(db);
    again.load();
    again.update({ anonymousId: 'v7', purposes: { advertising: true } });
    expect(again.historyOfPseudonyms(['ps_anonymous_id_v7']).map((c) => c.seq)).toEqual([8, 51]);
  });
});
